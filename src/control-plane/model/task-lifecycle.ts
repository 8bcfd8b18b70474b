// The one place where a task's status moves. Every change — a user's StopTask, an agent's task or
// container report — is an event passed to `transition`, which returns the next record or says
// why the event was ignored. Statuses only move forward (PENDING → RUNNING → STOPPED): reports can
// arrive twice or late (the agent retries), and a stale one must never resurrect a stopped task.
import type { ContainerStateChange } from '../../protocol/state-change.ts';
import type { ContainerStatus } from '../../protocol/statuses.ts';
import type { ContainerRecord, TaskLastStatus, TaskRecord } from './records.ts';

export type TaskEvent =
  | { kind: 'stop-requested'; at: number; reason: string }
  | { kind: 'agent-running'; at: number; containers: ContainerStateChange[]; pullStartedAt?: number; pullStoppedAt?: number }
  | { kind: 'agent-stopped'; at: number; reason: string; containers: ContainerStateChange[]; executionStoppedAt?: number; pullStartedAt?: number; pullStoppedAt?: number }
  | { kind: 'container-changed'; at: number; change: ContainerStateChange };

export type TransitionResult = { changed: true; task: TaskRecord } | { changed: false; task: TaskRecord; ignored: string };

const RANK: Record<TaskLastStatus | ContainerStatus, number> = { PENDING: 0, RUNNING: 1, STOPPED: 2 };

function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}

export function transition(task: TaskRecord, event: TaskEvent): TransitionResult {
  const ignore = (why: string): TransitionResult => ({ changed: false, task, ignored: why });
  const next = (t: TaskRecord): TransitionResult => ({ changed: true, task: { ...t, version: task.version + 1 } });

  switch (event.kind) {
    case 'stop-requested':
      if (task.lastStatus === 'STOPPED' || task.desiredStatus === 'STOPPED') return ignore('already stopping or stopped');
      return next({ ...task, desiredStatus: 'STOPPED', stoppingAt: event.at, stopCode: 'UserInitiated', stoppedReason: event.reason });

    case 'agent-running':
      switch (task.lastStatus) {
        case 'PENDING':
          return next({
            ...withPullTimes(task, event),
            lastStatus: 'RUNNING',
            startedAt: event.at,
            containers: mergeContainers(task.containers, event.containers),
          });
        case 'RUNNING': {
          // The agent's outbox retries until acked: a repeat that changes nothing is not a new version.
          const containers = mergeContainers(task.containers, event.containers);
          if (JSON.stringify(containers) === JSON.stringify(task.containers)) return ignore('repeated RUNNING report');
          return next({ ...task, containers });
        }
        case 'STOPPED':
          return ignore('stale RUNNING report for a stopped task');
        default:
          return assertNever(task.lastStatus);
      }

    case 'agent-stopped':
      switch (task.lastStatus) {
        case 'PENDING':
        case 'RUNNING':
          return next(stopped(task, event));
        case 'STOPPED':
          return ignore('task already stopped');
        default:
          return assertNever(task.lastStatus);
      }

    case 'container-changed': {
      if (task.lastStatus === 'STOPPED') return ignore('task already stopped');
      const merged = mergeContainers(task.containers, [event.change]);
      if (JSON.stringify(merged) === JSON.stringify(task.containers)) return ignore('no container change');
      return next({ ...task, containers: merged });
    }

    default:
      return assertNever(event);
  }
}

function stopped(task: TaskRecord, event: Extract<TaskEvent, { kind: 'agent-stopped' }>): TaskRecord {
  const containers = mergeContainers(task.containers, event.containers).map((c) => ({ ...c, lastStatus: 'STOPPED' as const }));
  const base: TaskRecord = {
    ...withPullTimes(task, event),
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stoppingAt: task.stoppingAt ?? event.at,
    stoppedAt: event.at,
    executionStoppedAt: event.executionStoppedAt ?? event.at,
    containers,
  };
  if (task.stopCode) return base; // the user asked: their code and reason stand
  // The agent stopped it on its own: either an essential container exited, or nothing ever ran.
  const everRan = task.lastStatus === 'RUNNING' || task.containers.some((c) => c.lastStatus !== 'PENDING') ||
    event.containers.some((c) => c.exitCode !== undefined);
  if (everRan) return { ...base, stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' };
  const reason = event.reason || event.containers.find((c) => c.reason)?.reason || 'Task failed to start';
  return { ...base, stopCode: 'TaskFailedToStart', stoppedReason: reason };
}

function withPullTimes(task: TaskRecord, e: { pullStartedAt?: number; pullStoppedAt?: number }): TaskRecord {
  return {
    ...task,
    ...(e.pullStartedAt !== undefined && task.pullStartedAt === undefined ? { pullStartedAt: e.pullStartedAt } : {}),
    ...(e.pullStoppedAt !== undefined && task.pullStoppedAt === undefined ? { pullStoppedAt: e.pullStoppedAt } : {}),
  };
}

/** Applies container reports by name; a container's status never moves backwards. */
export function mergeContainers(current: ContainerRecord[], changes: ContainerStateChange[]): ContainerRecord[] {
  return current.map((c) => {
    const change = changes.find((ch) => ch.containerName === c.name);
    if (!change || RANK[change.status] < RANK[c.lastStatus]) return c;
    return {
      ...c,
      lastStatus: change.status,
      ...(change.runtimeId ? { runtimeId: change.runtimeId } : {}),
      ...(change.exitCode !== undefined ? { exitCode: change.exitCode } : {}),
      ...(change.reason ? { reason: change.reason } : {}),
      ...(change.networkBindings?.length ? { networkBindings: change.networkBindings } : {}),
    };
  });
}
