// RegisterContainerInstance and DiscoverPollEndpoint, as the real agent calls them at start: one
// registration (with the saved ARN when re-registering after a restart), then poll-endpoint
// discovery for the ACS session.
import { randomUUID } from 'node:crypto';
import type { Attribute, Resource } from '@aws-sdk/client-ecs';
import { DiscoverPollEndpointCommand, RegisterContainerInstanceCommand, type EcsClient } from '../ecs/ecs-client.ts';
import type { Logger } from 'pino';
import { Backoff, ACS_RECONNECT_BACKOFF } from '../backoff.ts';
import { withExtraBodyFields } from '../ecs/canonical-body.ts';

/** Errors the real agent treats as terminal for registration: retrying cannot fix them. */
const TERMINAL_REGISTRATION_ERRORS = new Set(['ClientException', 'InvalidParameterException', 'AccessDeniedException', 'ClusterNotFoundException']);

export class RegistrationError extends Error {
  override name = 'RegistrationError';
}

export interface RegistrationRequest {
  cluster: string;
  savedArn: string | undefined;
  attributes: Attribute[];
  totalResources: Resource[];
  instanceIdentityDocument?: string;
  instanceIdentityDocumentSignature?: string;
}

export async function registerContainerInstance(
  client: EcsClient, req: RegistrationRequest, logger: Logger, signal?: AbortSignal,
): Promise<string> {
  const backoff = new Backoff(ACS_RECONNECT_BACKOFF);
  const clientToken = randomUUID(); // same token on every retry: ECS makes them one registration
  for (;;) {
    try {
      // clientToken is in the agent's model but not the public one; the middleware adds it.
      const command = withExtraBodyFields(new RegisterContainerInstanceCommand({
        attributes: req.attributes,
        cluster: req.cluster,
        ...(req.savedArn ? { containerInstanceArn: req.savedArn } : {}),
        instanceIdentityDocument: req.instanceIdentityDocument ?? '',
        instanceIdentityDocumentSignature: req.instanceIdentityDocumentSignature ?? '',
        totalResources: req.totalResources,
      }), { clientToken });
      const out = await client.send(command, { abortSignal: signal });
      const arn = out.containerInstance?.containerInstanceArn;
      if (!arn) throw new RegistrationError('RegisterContainerInstance answered without a containerInstanceArn');
      const missing = missingAttributes(req.attributes, out.containerInstance?.attributes ?? []);
      if (missing.length > 0) {
        // ECS echoes every attribute it accepted; a missing one means the instance would be placed
        // as if it lacked a capability. The real agent treats this as terminal.
        throw new RegistrationError(`attribute mismatch: ECS did not register ${missing.join(', ')}`);
      }
      return arn;
    } catch (err) {
      const name = (err as Error).name;
      if (err instanceof RegistrationError || TERMINAL_REGISTRATION_ERRORS.has(name) || signal?.aborted) {
        throw new RegistrationError(`cannot register in cluster "${req.cluster}": ${name}: ${(err as Error).message}`, { cause: err });
      }
      const delay = backoff.next();
      logger.warn({ err: { name, message: (err as Error).message }, retryInMs: delay }, 'RegisterContainerInstance failed; retrying');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Sent attributes the registration answer does not echo (by name and value). */
export function missingAttributes(sent: Attribute[], echoed: Attribute[]): string[] {
  const have = new Set(echoed.map((a) => `${a.name}=${a.value ?? ''}`));
  return sent.filter((a) => !have.has(`${a.name}=${a.value ?? ''}`)).map((a) => a.name ?? '');
}

export interface PollEndpoints {
  acs: string;
  telemetry: string | undefined;
}

export async function discoverPollEndpoint(
  client: EcsClient, cluster: string, containerInstanceArn: string,
): Promise<PollEndpoints> {
  const out = await client.send(new DiscoverPollEndpointCommand({ cluster, containerInstance: containerInstanceArn }));
  if (!out.endpoint) throw new RegistrationError('DiscoverPollEndpoint answered without an endpoint');
  return { acs: out.endpoint, telemetry: out.telemetryEndpoint };
}
