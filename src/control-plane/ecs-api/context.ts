// What every ECS API handler gets: the store, ARN scope, clock, randomness and the ACS gateway.
// Handlers take input as parsed JSON and return the response object; the router does the wire.
import type { Logger } from 'pino';
import type { ArnScope } from '../../protocol/arn.ts';
import type { AcsGateway } from '../acs-gateway/acs-gateway.ts';
import type { ControlPlaneStore } from '../store/control-plane-store.ts';
import type { TelemetryStore } from '../telemetry-store.ts';

export interface ApiContext {
  store: ControlPlaneStore;
  scope: ArnScope;
  logger: Logger;
  /** The server's own base URL (http://host:port), for DiscoverPollEndpoint. */
  baseUrl: () => string;
  acs: Pick<AcsGateway, 'isConnected' | 'pushTasks' | 'instanceDeregistered'>;
  /** Container health as agents last reported it over TCS (DescribeTasks' healthStatus), and the
   *  telemetry view (its instanceStatus is DescribeContainerInstances' healthStatus). */
  health: Pick<TelemetryStore, 'containerHealth' | 'view'>;
  now: () => number;
  random: () => number;
}

export type Input = Record<string, unknown>;
export type Handler = (ctx: ApiContext, input: Input) => unknown;
