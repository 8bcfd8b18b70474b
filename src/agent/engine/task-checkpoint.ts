// The port through which the engine makes its task states durable (implemented over the agent's
// sqlite store in outbox/checkpoint-writer.ts). The rule it serves: a state is saved BEFORE the
// engine acts on it (a Docker call) or reports it, and a report is saved in the same write as the
// state that produced it — so after a crash a report is either queued and marked sent, or neither.
import type { TaskState } from './task-state.ts';
import type { TaskStateChange } from './task-events.ts';

export interface TaskCheckpoint {
  /** Saves the task's state and, atomically with it, queues `report` for delivery. Throws when
   *  the write fails: the caller must not act on a state it could not save. */
  save(state: TaskState, report: TaskStateChange | undefined): void;
  /** Every task saved so far, as last saved. */
  load(): TaskState[];
  /** Forgets a task whose containers are gone. */
  remove(taskArn: string): void;
}

/** A checkpointed state parsed back; what is only true while the process lives is dropped:
 *  no Docker call survives a restart, so nothing is in flight any more. */
export function decodeTaskState(json: string): TaskState {
  const state = JSON.parse(json) as TaskState;
  for (const c of state.containers) delete c.inFlight;
  return state;
}
