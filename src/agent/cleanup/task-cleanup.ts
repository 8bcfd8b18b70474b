// Task cleanup (the real agent's cleanupTask/sweepTask): ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION after
// a task stopped — and only once its STOPPED report reached the control plane — its containers and
// task-scoped volumes are removed from Docker and the task is forgotten. The clock is the task's
// checkpointed `stoppedAt`, so a restarted agent keeps the same schedule (an overdue task is
// cleaned up at once). Containers are found by recorded id AND by label, so one that a timed-out
// create left behind (never recorded) goes too.
import type { Logger } from 'pino';
import type { DockerEngine } from '../docker/docker-engine.ts';
import { ECS_LABELS } from '../docker/container-config.ts';
import { VOLUME_TASK_LABEL } from '../docker/task-volumes.ts';
import { dockerIdOf } from '../engine/container-state.ts';
import type { TaskState } from '../engine/task-state.ts';

export interface TaskCleanupOptions {
  docker: DockerEngine;
  /** Cluster NAME, as on the container labels. */
  cluster: string;
  logger: Logger;
  /** ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION. */
  waitMs: number;
  /** The task as the engine knows it now (undefined: already forgotten). */
  current: (taskArn: string) => TaskState | undefined;
  /** True while a report of the task still waits for the control plane's acknowledgement. */
  isReportPending?: (taskArn: string) => boolean;
  /** Drops the task from the engine and its checkpoint; called once Docker holds nothing of it. */
  forget: (taskArn: string) => void;
  now?: () => number;
}

/** How soon to look again when the report is not delivered yet or a removal failed. */
const RECHECK_MS = 10_000;
/** setTimeout's largest delay (≈24.8 days); a longer wait is armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class TaskCleanup {
  #o: TaskCleanupOptions;
  #timers = new Map<string, NodeJS.Timeout>();
  #running = new Set<string>();
  #closed = false;

  constructor(o: TaskCleanupOptions) {
    this.#o = o;
  }

  /** Makes sure a stopped task is cleaned up when its time comes; calling it again changes nothing. */
  schedule(state: TaskState): void {
    if (this.#closed || !Number.isFinite(this.#o.waitMs) || this.#timers.has(state.arn) || this.#running.has(state.arn)) return;
    this.#arm(state.arn, this.#dueIn(state));
  }

  cancel(taskArn: string): void {
    clearTimeout(this.#timers.get(taskArn));
    this.#timers.delete(taskArn);
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  /** Removes the task's containers (recorded or labelled) and its task-scoped volumes. Throws if
   *  any removal failed: the task must then not be forgotten. */
  async sweep(state: TaskState): Promise<{ containers: number; volumes: number }> {
    const { docker } = this.#o;
    const labelled = await docker.listContainers({ labels: [`${ECS_LABELS.taskArn}=${state.arn}`, `${ECS_LABELS.cluster}=${this.#o.cluster}`] });
    const ids = new Set([...state.containers.flatMap((c) => dockerIdOf(c.known) ?? []), ...labelled.map((c) => c.id)]);
    // force: a STOPPED task has nothing that should still run (e.g. a start that landed after it timed out).
    await Promise.all([...ids].map((id) => docker.removeContainer(id, { force: true })));
    const volumes = await docker.listVolumes({ labels: [`${VOLUME_TASK_LABEL}=${state.arn}`] });
    for (const name of volumes) await docker.removeVolume(name);
    return { containers: ids.size, volumes: volumes.length };
  }

  /** Ms until the task's cleanup time (≤ 0: due). A task stopped before `stoppedAt` was recorded
   *  counts from now. */
  #dueIn(state: TaskState): number {
    const now = (this.#o.now ?? Date.now)();
    return (state.stoppedAt ?? now) + this.#o.waitMs - now;
  }

  #arm(taskArn: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(taskArn);
      void this.#run(taskArn);
    }, Math.min(MAX_TIMER_MS, Math.max(0, delayMs)));
    timer.unref(); // a pending cleanup never keeps the process alive
    this.#timers.set(taskArn, timer);
  }

  async #run(taskArn: string): Promise<void> {
    const log = this.#o.logger.child({ taskArn });
    const state = this.#o.current(taskArn);
    if (!state || this.#closed) return;
    const dueIn = this.#dueIn(state);
    if (dueIn > 0) {
      this.#arm(taskArn, dueIn); // a wait longer than one timer can hold
      return;
    }
    if (this.#o.isReportPending?.(taskArn)) {
      log.info('task cleanup waits: its STOPPED report has not reached the control plane yet');
      this.#arm(taskArn, RECHECK_MS);
      return;
    }
    this.#running.add(taskArn);
    try {
      const removed = await this.sweep(state);
      if (this.#closed) return;
      this.#o.forget(taskArn);
      log.info(removed, 'task cleaned up: containers and task volumes removed, task forgotten');
    } catch (err) {
      log.warn({ err }, 'task cleanup failed; will try again');
      if (!this.#closed) this.#arm(taskArn, RECHECK_MS);
    } finally {
      this.#running.delete(taskArn);
    }
  }
}
