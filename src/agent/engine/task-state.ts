// A task as the engine tracks it: the definition it came with, the desired status (only ever moves
// forward: RUNNING → STOPPED), its containers' known statuses, and what has already been reported
// (`sent`). The task's known status is never stored: it is derived from the containers.
// The whole TaskState is plain JSON: it is what the agent checkpoints (task-checkpoint.ts).
import { createHash } from 'node:crypto';
import type { AcsContainer, AcsTask } from '../../protocol/acs-messages.ts';
import type { DesiredStatus } from '../../protocol/statuses.ts';
import { containerName } from '../docker/container-config.ts';
import { CONTAINER_STATUS_ORDER, statusRank, type ContainerEntry, type ContainerKnownStatus } from './container-state.ts';

export type TaskKnownStatus = ContainerKnownStatus;
export type SentStatus = 'NONE' | 'RUNNING' | 'STOPPED';

export interface TaskState {
  arn: string;
  definition: AcsTask;
  desired: DesiredStatus;
  containers: ContainerEntry[];
  /** Epoch ms window over every image pull this task actually attempted. */
  pull?: { startedAt: number; stoppedAt: number };
  sent: SentStatus;
  /** The containers as the last report described them (next-step.ts containersReported). */
  sentContainers?: string;
  /** Epoch ms at which every container was first known STOPPED: the cleanup clock starts here. */
  stoppedAt?: number;
  /** Why the agent itself ended the task (e.g. its dependencies cannot be resolved); the STOPPED
   *  report's `reason`. */
  reason?: string;
}

export function initialTaskState(task: AcsTask, o: { defaultStopTimeoutMs: number }): TaskState {
  return {
    arn: task.arn,
    definition: task,
    desired: task.desiredStatus,
    containers: task.containers.map((c) => ({
      name: c.name,
      image: c.image,
      essential: c.essential ?? true,
      stopTimeoutSec: c.stopTimeout ?? Math.ceil(o.defaultStopTimeoutMs / 1000),
      dockerName: containerName(task, c, nameSuffix(task.arn, c.name)),
      known: { status: 'NONE' },
      ...(hasHealthCheck(c) ? { health: 'UNKNOWN' as const } : {}),
    })),
    sent: 'NONE',
  };
}

/** 20 hex characters, a function of (task, container) rather than random (the real agent's are
 *  random): the same container of the same task always gets the same Docker name, so even an
 *  agent that lost its checkpoint cannot create it twice — Docker refuses a second one (409). */
export function nameSuffix(taskArn: string, container: string): string {
  return createHash('sha256').update(`${taskArn}\n${container}`).digest('hex').slice(0, 20);
}

/** Docker runs a health check for this container: the backend says so (healthCheckType, as the
 *  real agent reads it) or its Docker config carries one that is not disabled. */
export function hasHealthCheck(c: AcsContainer): boolean {
  if (c.healthCheckType === 'docker') return true;
  try {
    const test = (JSON.parse(c.dockerConfig?.config || '{}') as { Healthcheck?: { Test?: unknown } } | null)?.Healthcheck?.Test;
    return Array.isArray(test) && test.length > 0 && test[0] !== 'NONE';
  } catch {
    return false; // an unreadable config fails the container at create time, with its own reason
  }
}

/** The earliest status among the containers (ecs-agent's updateTaskKnownStatus). */
export function taskKnownStatus(state: TaskState): TaskKnownStatus {
  if (state.containers.length === 0) return state.desired === 'STOPPED' ? 'STOPPED' : 'NONE';
  const min = Math.min(...state.containers.map((c) => statusRank(c.known.status)));
  return CONTAINER_STATUS_ORDER[min] ?? 'NONE';
}

export function desiredRank(status: DesiredStatus): number {
  return status === 'RUNNING' ? 0 : 1;
}
