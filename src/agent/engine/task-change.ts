// PURE: the SubmitTaskStateChange body (minus cluster) for a task state, shaped like the real
// agent's (capture main.traffic.jsonl seq 22 and 58): every container with its runtimeId, bindings
// on RUNNING, exit codes on STOPPED, timestamps as epoch seconds.
import type { ContainerStateChange } from '../../protocol/state-change.ts';
import type { ReportedTaskStatus } from '../../protocol/statuses.ts';
import { toEpochSeconds } from '../../protocol/ecs-wire.ts';
import { assertNever, type ContainerEntry } from './container-state.ts';
import type { TaskState } from './task-state.ts';
import type { TaskStateChange } from './task-events.ts';

export function buildTaskChange(state: TaskState, status: ReportedTaskStatus): TaskStateChange {
  const change: TaskStateChange = {
    task: state.arn,
    status,
    // Why the agent itself ended the task, when it did (a task that cannot start says so here).
    reason: status === 'STOPPED' ? state.reason ?? '' : '',
    containers: state.containers.map((c) => containerChange(c, status)),
  };
  if (state.pull) {
    change.pullStartedAt = toEpochSeconds(state.pull.startedAt);
    change.pullStoppedAt = toEpochSeconds(state.pull.stoppedAt);
  }
  if (status === 'STOPPED') {
    const exits = state.containers.flatMap((c) => (c.known.status === 'STOPPED' && c.known.finishedAt !== undefined ? [c.known.finishedAt] : []));
    if (exits.length > 0) change.executionStoppedAt = toEpochSeconds(Math.max(...exits));
  }
  return change;
}

function containerChange(c: ContainerEntry, taskStatus: ReportedTaskStatus): ContainerStateChange {
  const k = c.known;
  switch (k.status) {
    case 'NONE':
    case 'PULLED':
      // Internal statuses the backend does not know go out as PENDING (ecs-agent's BackendStatus).
      return { containerName: c.name, status: 'PENDING' };
    case 'CREATED':
      return { containerName: c.name, runtimeId: k.dockerId, status: 'PENDING' };
    case 'RUNNING':
      return {
        containerName: c.name,
        runtimeId: k.dockerId,
        status: 'RUNNING',
        ...(taskStatus === 'RUNNING' && k.networkBindings.length > 0 ? { networkBindings: k.networkBindings } : {}),
      };
    case 'STOPPED':
      return {
        containerName: c.name,
        ...(k.dockerId !== undefined ? { runtimeId: k.dockerId } : {}),
        status: 'STOPPED',
        ...(k.exitCode !== undefined ? { exitCode: k.exitCode } : {}),
        ...(k.reason !== undefined ? { reason: k.reason } : {}),
      };
    default:
      return assertNever(k);
  }
}
