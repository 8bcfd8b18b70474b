// What flows into and out of the pure decision function. Events are facts (ACS asked, Docker
// answered); effects are requests for work. Both are data, so next-step.ts can be tested alone.
import type { DesiredStatus } from '../../protocol/statuses.ts';
import type { NetworkBinding, TaskStateChangeRequest } from '../../protocol/state-change.ts';
import type { ContainerHealthStatus } from '../../protocol/tcs-health.ts';

/** What the engine hands to the outbox: the body of SubmitTaskStateChange minus the cluster. */
export type TaskStateChange = Omit<TaskStateChangeRequest, 'cluster'>;

/** Epoch ms window of an attempted pull. */
export interface PullWindow { startedAt: number; stoppedAt: number }

export type TaskEvent =
  | { type: 'desired'; desired: DesiredStatus }
  | { type: 'pulled'; container: string; pull?: PullWindow }
  | { type: 'pullFailed'; container: string; reason: string; pull?: PullWindow }
  | { type: 'created'; container: string; dockerId: string }
  | { type: 'createFailed'; container: string; reason: string }
  | { type: 'started'; container: string; startedAt?: number; networkBindings: NetworkBinding[]; health?: ContainerHealthStatus }
  | { type: 'startFailed'; container: string; reason: string }
  /** The stop call returned (the container is no longer running). */
  | { type: 'stopped'; container: string; exitCode?: number; finishedAt?: number }
  | { type: 'stopFailed'; container: string; reason: string }
  /** Docker's `die` event, or an inspect that found the container exited; `reason` when it went
   *  away without a `die` (removed outside the agent). */
  | { type: 'exited'; dockerId: string; exitCode?: number; finishedAt?: number; reason?: string }
  /** Docker's `health_status` event, or an inspect's health. */
  | { type: 'health'; dockerId: string; status: ContainerHealthStatus }
  /** A deadline the last step asked to be woken at (a dependency's startTimeout) has passed. */
  | { type: 'tick' };

export type Effect =
  | { type: 'pull'; container: string; image: string }
  | { type: 'create'; container: string; dockerName: string }
  | { type: 'start'; container: string; dockerId: string }
  | { type: 'stop'; container: string; dockerId: string; timeoutSec: number }
  | { type: 'emit'; change: TaskStateChange };

export type DockerEffect = Exclude<Effect, { type: 'emit' }>;
