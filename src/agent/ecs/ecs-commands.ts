// The three ECS API operations the agent calls, named like @aws-sdk/client-ecs's command classes
// and typed by its model (type-only imports: the SDK is never loaded by the agent, see
// ecs-client.ts). Outputs are typed down to what the agent reads; timestamps in answers stay
// epoch seconds (nothing here reads one).
import type {
  Attribute, DiscoverPollEndpointCommandInput, RegisterContainerInstanceCommandInput, SubmitTaskStateChangeCommandInput,
} from '@aws-sdk/client-ecs';

/** What every answer carries, as the SDK's `$metadata`. */
export interface ResponseMetadata {
  httpStatusCode?: number;
  requestId?: string;
  attempts?: number;
  totalRetryDelay?: number;
  /** Set on an error answer after which the client moved its signing clock to the server's. */
  clockSkewCorrected?: boolean;
}

export abstract class EcsCommand<I extends object, O> {
  abstract readonly operation: string;
  readonly input: I;
  /** Body fields outside the public model (withExtraBodyFields). */
  extraBody: Record<string, unknown> = {};

  constructor(input: I) {
    this.input = input;
  }

  /** The answer's JSON as this operation's output (JSON 1.1 answers have no envelope). */
  output(json: Record<string, unknown>, $metadata: ResponseMetadata): O & { $metadata: ResponseMetadata } {
    return { ...(json as O), $metadata };
  }
}

export interface RegisterContainerInstanceOutput {
  containerInstance?: { containerInstanceArn?: string; attributes?: Attribute[] };
}

export class RegisterContainerInstanceCommand extends EcsCommand<RegisterContainerInstanceCommandInput, RegisterContainerInstanceOutput> {
  readonly operation = 'RegisterContainerInstance';
}

export interface DiscoverPollEndpointOutput {
  endpoint?: string;
  telemetryEndpoint?: string;
  serviceConnectEndpoint?: string;
}

export class DiscoverPollEndpointCommand extends EcsCommand<DiscoverPollEndpointCommandInput, DiscoverPollEndpointOutput> {
  readonly operation = 'DiscoverPollEndpoint';
}

export interface SubmitTaskStateChangeOutput {
  acknowledgment?: string;
}

export class SubmitTaskStateChangeCommand extends EcsCommand<SubmitTaskStateChangeCommandInput, SubmitTaskStateChangeOutput> {
  readonly operation = 'SubmitTaskStateChange';
}
