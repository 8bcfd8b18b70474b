// What flows into and out of the pure decision function. Events are facts (ACS asked, Docker
// answered); effects are requests for work. Both are data, so next-step.ts can be tested alone.
import type { DesiredStatus } from '../../protocol/statuses.ts';
import type { NetworkBinding, TaskStateChangeRequest } from '../../protocol/state-change.ts';

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
  | { type: 'started'; container: string; startedAt?: number; networkBindings: NetworkBinding[] }
  | { type: 'startFailed'; container: string; reason: string }
  /** The stop call returned (the container is no longer running). */
  | { type: 'stopped'; container: string; exitCode?: number; finishedAt?: number }
  | { type: 'stopFailed'; container: string; reason: string }
  /** Docker's `die` event, or an inspect that found the container exited. */
  | { type: 'exited'; dockerId: string; exitCode?: number; finishedAt?: number };

export type Effect =
  | { type: 'pull'; container: string; image: string }
  | { type: 'create'; container: string; dockerName: string }
  | { type: 'start'; container: string; dockerId: string }
  | { type: 'stop'; container: string; dockerId: string; timeoutSec: number }
  | { type: 'emit'; change: TaskStateChange };

export type DockerEffect = Exclude<Effect, { type: 'emit' }>;
