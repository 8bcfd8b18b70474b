// The agent's task engine: one TaskActor per task ARN, fed by ACS (applyTask) and by Docker's
// event stream (a container's `die`, `destroy`, health changes), reporting through onStateChange
// in order per task. It owns no I/O of its own: Docker goes through the DockerEngine port,
// durability through the TaskCheckpoint port. On start it restores the checkpointed tasks and
// reconciles them with what Docker shows (reconcile/), so a restart never stops, restarts or
// duplicates a container; stopped tasks are cleaned up on schedule (cleanup/task-cleanup.ts).
import type { Logger } from 'pino';
import type { AcsTask } from '../../protocol/acs-messages.ts';
import type { DockerEngine, DockerHostConfig, ContainerEvent, EventSubscription } from '../docker/docker-engine.ts';
import { ECS_LABELS } from '../docker/container-config.ts';
import type { TaskResources } from '../docker/task-resources.ts';
import { assertNever, dockerIdOf, healthStatus } from './container-state.ts';
import type { ContainerHealthStatus } from '../../protocol/tcs-health.ts';
import { TaskCleanup } from '../cleanup/task-cleanup.ts';
import { ImagePuller, type ImagePullBehavior } from './image-puller.ts';
import { TaskActor } from './task-actor.ts';
import { initialTaskState, taskKnownStatus, type TaskState } from './task-state.ts';
import type { TaskStateChange } from './task-events.ts';
import type { TaskCheckpoint } from './task-checkpoint.ts';
import { runEffect } from './transitions.ts';
import { isFinished, reconcileTask, type ObservedContainer } from '../reconcile/reconcile-plan.ts';
import { inspectObserved, observeContainers } from '../reconcile/observe-docker.ts';

export type { TaskStateChange } from './task-events.ts';
export type { ImagePullBehavior } from './image-puller.ts';

export interface TaskEngineOptions {
  docker: DockerEngine;
  /** Cluster NAME, for the container label. */
  cluster: string;
  /** ECS_CONTAINER_STOP_TIMEOUT, used when a container has no stopTimeout. */
  defaultStopTimeoutMs: number;
  imagePullBehavior: ImagePullBehavior;
  logger: Logger;
  /** Called in order per task, after the change was checkpointed (and, with a checkpoint, queued
   *  durably by it): without a checkpoint the consumer persists it; with one, it only delivers. */
  onStateChange: (change: TaskStateChange) => void;
  /** Agent-wide HostConfig under every container's own (optional). */
  hostConfigDefaults?: Partial<DockerHostConfig>;
  /** ECS_AVAILABLE_LOGGING_DRIVERS; a container asking for another driver fails (absent: any). */
  availableLoggingDrivers?: string[];
  /** Task cgroups, shared volume checks, host port ranges (absent: none of them, e.g. engine tests). */
  taskResources?: TaskResources;
  /** Where task states are saved before they are acted on; without it the engine forgets
   *  everything on restart (tests of the engine alone). */
  checkpoint?: TaskCheckpoint;
  /** ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION; absent: stopped tasks are never cleaned up by themselves. */
  taskCleanupWaitMs?: number;
  /** True while a report of the task has not been acknowledged: cleanup waits for it. */
  isReportPending?: (taskArn: string) => boolean;
  /** The agent's puller (registry credentials, durable `once`, image tracking); absent: a plain one. */
  imagePuller?: ImagePuller;
}

/** Why a container is STOPPED when Docker removed it without a `die` we heard (docker rm). */
export const REMOVED_REASON = 'DockerStateError: the container was removed outside the agent';

export interface KnownTask {
  taskArn: string;
  desiredStatus: 'RUNNING' | 'STOPPED';
  knownStatus: string;
  containers: Array<{ name: string; dockerId?: string; status: string; health?: ContainerHealthStatus }>;
}

export class TaskEngine {
  #o: TaskEngineOptions;
  #log: Logger;
  #puller: ImagePuller;
  #actors = new Map<string, TaskActor>();
  /** ECS containers of this cluster found at start whose task is not in the checkpoint (lost or
   *  corrupt checkpoint): adopted if ACS hands us that task again, never created a second time. */
  #orphans = new Map<string, ObservedContainer[]>();
  /** Docker events that arrive while restoring, replayed once the actors exist. */
  #held: ContainerEvent[] | undefined;
  #events: EventSubscription | undefined;
  #cleanup: TaskCleanup;
  #closed = false;

  constructor(o: TaskEngineOptions) {
    this.#o = o;
    this.#log = o.logger.child({ component: 'task-engine' });
    this.#puller = o.imagePuller ?? new ImagePuller({ docker: o.docker, behavior: o.imagePullBehavior, logger: this.#log });
    this.#cleanup = new TaskCleanup({
      docker: o.docker, cluster: o.cluster, logger: this.#log, waitMs: o.taskCleanupWaitMs ?? Infinity,
      current: (arn) => this.#actors.get(arn)?.state,
      forget: (arn) => this.#forget(arn),
      ...(o.isReportPending ? { isReportPending: o.isReportPending } : {}),
    });
  }

  /** Opens the Docker event stream, then restores and reconciles the checkpointed tasks. */
  async start(): Promise<void> {
    if (this.#events) return;
    this.#held = [];
    this.#events = this.#o.docker.events((e) => this.#onDockerEvent(e), { onReconnect: () => void this.#resync() });
    try {
      await this.#events.ready;
      await this.#restore();
    } finally {
      const held = this.#held;
      this.#held = undefined;
      for (const e of held) this.#onDockerEvent(e);
    }
    // Each restored task takes its next step (continue a launch, stop, or report an exit).
    for (const actor of this.#actors.values()) actor.dispatch({ type: 'desired', desired: actor.state.desired });
  }

  /** A new task, or a desired-status change of a known one. Idempotent: an equal or lower desired
   *  status is ignored. A task first seen as STOPPED is reported STOPPED without touching Docker. */
  applyTask(task: AcsTask): void {
    if (this.#closed) return;
    const existing = this.#actors.get(task.arn);
    if (existing) {
      existing.dispatch({ type: 'desired', desired: task.desiredStatus });
      return;
    }
    let state = initialTaskState(task, { defaultStopTimeoutMs: this.#o.defaultStopTimeoutMs });
    const orphans = this.#orphans.get(task.arn);
    if (orphans) {
      this.#orphans.delete(task.arn);
      const adopted = reconcileTask(state, orphans);
      state = adopted.state;
      this.#log.warn({ taskArn: task.arn, adopted: adopted.changes }, 'task not in the checkpoint: adopted its containers found by label');
    }
    this.#log.info({ taskArn: task.arn, desiredStatus: task.desiredStatus, containers: task.containers.map((c) => c.name) }, 'new task');
    const actor = this.#newActor(state);
    actor.dispatch({ type: 'desired', desired: task.desiredStatus });
  }

  /** Moves a known task's desired status to STOPPED (TaskManifest / TaskStopVerificationAck);
   *  an unknown ARN is ignored: there is nothing of it in Docker to stop. */
  stopTask(taskArn: string): void {
    this.#actors.get(taskArn)?.dispatch({ type: 'desired', desired: 'STOPPED' });
  }

  /** Images of containers not created yet in tasks that should run: image cleanup keeps them. */
  pendingImages(): string[] {
    return [...this.#actors.values()].flatMap(({ state }) => (state.desired === 'RUNNING'
      ? state.containers.filter((c) => c.known.status === 'NONE' || c.known.status === 'PULLED').map((c) => c.image)
      : []));
  }

  knownTasks(): KnownTask[] {
    return [...this.#actors.values()].map(({ state }) => ({
      taskArn: state.arn,
      desiredStatus: state.desired,
      knownStatus: taskKnownStatus(state),
      containers: state.containers.map((c) => {
        const dockerId = dockerIdOf(c.known);
        return { name: c.name, status: c.known.status, ...(dockerId ? { dockerId } : {}), ...(c.health ? { health: c.health } : {}) };
      }),
    }));
  }

  /** Cleans a stopped task up now, whatever ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION says: removes its
   *  containers and task volumes and forgets it. A task that is not stopped is refused. */
  async cleanUpTask(taskArn: string): Promise<void> {
    const actor = this.#actors.get(taskArn);
    if (!actor) return;
    if (taskKnownStatus(actor.state) !== 'STOPPED') throw new Error(`task ${taskArn} is not stopped`);
    const removed = await this.#cleanup.sweep(actor.state);
    this.#forget(taskArn);
    this.#log.info({ taskArn, ...removed }, 'task cleaned up');
  }

  /** Stops watching Docker and handling events; containers are left as they are. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#events?.close();
    this.#cleanup.close();
    for (const actor of this.#actors.values()) actor.close();
  }

  #forget(taskArn: string): void {
    const definition = this.#actors.get(taskArn)?.state.definition;
    if (definition) void this.#o.taskResources?.cleanup(definition);
    this.#actors.get(taskArn)?.close();
    this.#actors.delete(taskArn);
    this.#cleanup.cancel(taskArn);
    this.#o.checkpoint?.remove(taskArn);
  }

  #newActor(state: TaskState): TaskActor {
    const logger = this.#log.child({ taskArn: state.arn });
    const checkpoint = this.#o.checkpoint;
    const actor = new TaskActor({
      state,
      run: (effect) => runEffect(effect, {
        docker: this.#o.docker, puller: this.#puller, cluster: this.#o.cluster, task: state.definition, logger,
        ...(this.#o.hostConfigDefaults ? { hostConfigDefaults: this.#o.hostConfigDefaults } : {}),
        ...(this.#o.availableLoggingDrivers ? { availableLoggingDrivers: this.#o.availableLoggingDrivers } : {}),
        ...(this.#o.taskResources ? { taskResources: this.#o.taskResources } : {}),
      }),
      emit: this.#o.onStateChange,
      logger,
      // Stopped and reported: from now on, the cleanup clock runs.
      onState: (s) => {
        if (s.sent === 'STOPPED' && taskKnownStatus(s) === 'STOPPED') this.#cleanup.schedule(s);
        // Every container exited: the task cgroup can go (TaskResources does it once per task).
        if (taskKnownStatus(s) === 'STOPPED') void this.#o.taskResources?.taskStopped(s.definition);
      },
      ...(checkpoint ? { persist: (s: TaskState, report: TaskStateChange | undefined) => checkpoint.save(s, report) } : {}),
    });
    this.#actors.set(state.arn, actor);
    return actor;
  }

  /** Checkpointed tasks back into actors, each reconciled with Docker; finished ones are dropped. */
  async #restore(): Promise<void> {
    const saved = this.#o.checkpoint?.load() ?? [];
    const observed = await observeContainers(this.#o.docker, this.#o.cluster);
    const savedArns = new Set(saved.map((s) => s.arn));
    for (const o of observed) {
      if (!savedArns.has(o.taskArn)) this.#orphans.set(o.taskArn, [...(this.#orphans.get(o.taskArn) ?? []), o]);
    }
    for (const s of saved) {
      // Without cleanup, a finished task has nothing left to do; with it, the task stays until its
      // cleanup time, which also removes its task volumes.
      if (this.#o.taskCleanupWaitMs === undefined && isFinished(s, observed)) {
        this.#o.checkpoint?.remove(s.arn);
        continue;
      }
      const { state, changes } = reconcileTask(s, observed);
      this.#log.info({ taskArn: s.arn, desired: s.desired, sent: s.sent, changes }, 'restored task from the checkpoint');
      this.#newActor(state);
    }
    if (this.#orphans.size > 0) this.#log.warn({ tasks: [...this.#orphans.keys()] }, 'ECS containers of tasks not in the checkpoint: left as they are until ACS sends their task');
  }

  /** After the event stream reconnects (dockerd restarted, socket dropped): exits that happened
   *  while it was down may never be replayed, so ask Docker about every container we think lives. */
  async #resync(): Promise<void> {
    for (const actor of [...this.#actors.values()]) {
      for (const c of actor.state.containers) {
        if (c.known.status !== 'CREATED' && c.known.status !== 'RUNNING') continue;
        const id = c.known.dockerId;
        try {
          const o = await inspectObserved(this.#o.docker, id);
          if (!o) actor.dispatch({ type: 'exited', dockerId: id, reason: REMOVED_REASON });
          else if (!o.running && o.startedAt !== undefined) {
            actor.dispatch({ type: 'exited', dockerId: id, exitCode: o.exitCode, ...(o.finishedAt !== undefined ? { finishedAt: o.finishedAt } : {}) });
          } else if (o.health) actor.dispatch({ type: 'health', dockerId: id, status: o.health });
        } catch (err) {
          this.#log.warn({ err, dockerId: id }, 'cannot re-inspect a container after the event stream reconnected');
        }
      }
    }
  }

  #onDockerEvent(e: ContainerEvent): void {
    if (this.#held) {
      this.#held.push(e);
      return;
    }
    const taskArn = e.labels[ECS_LABELS.taskArn];
    const actor = taskArn ? this.#actors.get(taskArn) : undefined;
    if (!actor) return; // not ours (another agent's, or a task we no longer track)
    switch (e.action) {
      case 'die':
        // Report on `die` itself: it arrives ~60 ms before Docker's stop call returns.
        actor.dispatch({ type: 'exited', dockerId: e.id, finishedAt: e.time, ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}) });
        return;
      case 'destroy': {
        // Normally after its `die`; a container removed without one (never started, or a missed
        // event) must not stay RUNNING or CREATED forever (real agent #364).
        const c = actor.state.containers.find((x) => dockerIdOf(x.known) === e.id);
        if (c && (c.known.status === 'CREATED' || c.known.status === 'RUNNING')) {
          this.#log.warn({ taskArn, dockerId: e.id, container: c.name }, 'container removed outside the agent');
          actor.dispatch({ type: 'exited', dockerId: e.id, reason: REMOVED_REASON });
        }
        return;
      }
      case 'health_status':
        if (e.health) actor.dispatch({ type: 'health', dockerId: e.id, status: healthStatus(e.health) });
        return;
      case 'oom':
        this.#log.warn({ taskArn, dockerId: e.id }, 'container ran out of memory');
        return;
      case 'start':
      case 'kill':
        this.#log.debug({ taskArn, dockerId: e.id, action: e.action }, 'docker event');
        return;
      default:
        assertNever(e.action);
    }
  }
}
