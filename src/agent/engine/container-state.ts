// One container's known status as a union on `status`: each variant carries only what is true in
// it (a dockerId exists from CREATED on; an exit code only once STOPPED). Known status only moves
// forward along CONTAINER_STATUS_ORDER; what the engine wants (desired) lives on the task.
import type { NetworkBinding } from '../../protocol/state-change.ts';
import type { ContainerHealthStatus } from '../../protocol/tcs-health.ts';
import type { DockerHealth } from '../docker/docker-engine.ts';

export const CONTAINER_STATUS_ORDER = ['NONE', 'PULLED', 'CREATED', 'RUNNING', 'STOPPED'] as const;
export type ContainerKnownStatus = (typeof CONTAINER_STATUS_ORDER)[number];

export type ContainerKnown =
  | { status: 'NONE' }
  | { status: 'PULLED' }
  | { status: 'CREATED'; dockerId: string }
  | { status: 'RUNNING'; dockerId: string; startedAt?: number; networkBindings: NetworkBinding[] }
  | {
    status: 'STOPPED';
    /** Absent when the container was never created. */
    dockerId?: string;
    exitCode?: number;
    /** Why it stopped when it was not a normal exit, e.g. "CannotPullContainerError: …". */
    reason?: string;
    /** Epoch ms of the exit, when Docker told us. */
    finishedAt?: number;
  };

/** The Docker call under way for a container; the engine never starts a second one meanwhile. */
export type ContainerAction = 'pull' | 'create' | 'start' | 'stop';

export interface ContainerEntry {
  /** Static, from the task definition. */
  name: string;
  image: string;
  essential: boolean;
  stopTimeoutSec: number;
  /** The Docker container name, decided when the task is accepted and checkpointed with it, so a
   *  restart finds a container whose create returned but whose id was never recorded. */
  dockerName: string;
  /** Mutable. */
  known: ContainerKnown;
  inFlight?: ContainerAction;
  /** The stop call failed even after retries: not retried on every event (a later `die` still lands). */
  stopFailed?: boolean;
  /** Only for a container with a Docker health check: its latest status (UNKNOWN while starting). */
  health?: ContainerHealthStatus;
}

export function statusRank(status: ContainerKnownStatus): number {
  return CONTAINER_STATUS_ORDER.indexOf(status);
}

export function dockerIdOf(known: ContainerKnown): string | undefined {
  switch (known.status) {
    case 'NONE':
    case 'PULLED':
      return undefined;
    case 'CREATED':
    case 'RUNNING':
    case 'STOPPED':
      return known.dockerId;
    default:
      return assertNever(known);
  }
}

/** Docker's health word as ECS reports it; `starting` is not known yet. */
export function healthStatus(h: DockerHealth): ContainerHealthStatus {
  return h === 'healthy' ? 'HEALTHY' : h === 'unhealthy' ? 'UNHEALTHY' : 'UNKNOWN';
}

export function assertNever(value: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(value)}`);
}
