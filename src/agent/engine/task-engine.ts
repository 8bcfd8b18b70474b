// The agent's task engine: one TaskActor per task ARN, fed by ACS (applyTask) and by Docker's
// event stream (a container's `die`), reporting through onStateChange in order per task.
// It owns no I/O of its own: Docker goes through the DockerEngine port.
import type { Logger } from 'pino';
import type { AcsTask } from '../../protocol/acs-messages.ts';
import type { DockerEngine, DockerHostConfig, ContainerEvent, EventSubscription } from '../docker/docker-engine.ts';
import { ECS_LABELS } from '../docker/container-config.ts';
import { assertNever, dockerIdOf } from './container-state.ts';
import { ImagePuller, type ImagePullBehavior } from './image-puller.ts';
import { TaskActor } from './task-actor.ts';
import { initialTaskState, taskKnownStatus } from './task-state.ts';
import type { TaskStateChange } from './task-events.ts';
import { runEffect } from './transitions.ts';

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
  /** Called in order per task; the outbox persists and delivers it. */
  onStateChange: (change: TaskStateChange) => void;
  /** Agent-wide HostConfig under every container's own (optional). */
  hostConfigDefaults?: Partial<DockerHostConfig>;
}

export interface KnownTask {
  taskArn: string;
  desiredStatus: 'RUNNING' | 'STOPPED';
  knownStatus: string;
  containers: Array<{ name: string; dockerId?: string; status: string }>;
}

export class TaskEngine {
  #o: TaskEngineOptions;
  #log: Logger;
  #puller: ImagePuller;
  #actors = new Map<string, TaskActor>();
  #events: EventSubscription | undefined;
  #closed = false;

  constructor(o: TaskEngineOptions) {
    this.#o = o;
    this.#log = o.logger.child({ component: 'task-engine' });
    this.#puller = new ImagePuller({ docker: o.docker, behavior: o.imagePullBehavior, logger: this.#log });
  }

  /** Opens the Docker event stream; resolves once it is connected. */
  async start(): Promise<void> {
    this.#events ??= this.#o.docker.events((e) => this.#onDockerEvent(e));
    await this.#events.ready;
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
    const logger = this.#log.child({ taskArn: task.arn });
    logger.info({ desiredStatus: task.desiredStatus, containers: task.containers.map((c) => c.name) }, 'new task');
    const actor = new TaskActor({
      state: initialTaskState(task, { defaultStopTimeoutMs: this.#o.defaultStopTimeoutMs }),
      run: (effect) => runEffect(effect, {
        docker: this.#o.docker, puller: this.#puller, cluster: this.#o.cluster, task, logger,
        ...(this.#o.hostConfigDefaults ? { hostConfigDefaults: this.#o.hostConfigDefaults } : {}),
      }),
      emit: this.#o.onStateChange,
      logger,
    });
    this.#actors.set(task.arn, actor);
    actor.dispatch({ type: 'desired', desired: task.desiredStatus });
  }

  /** Moves a known task's desired status to STOPPED (TaskManifest / TaskStopVerificationAck);
   *  an unknown ARN is ignored: there is nothing of it in Docker to stop. */
  stopTask(taskArn: string): void {
    this.#actors.get(taskArn)?.dispatch({ type: 'desired', desired: 'STOPPED' });
  }

  knownTasks(): KnownTask[] {
    return [...this.#actors.values()].map(({ state }) => ({
      taskArn: state.arn,
      desiredStatus: state.desired,
      knownStatus: taskKnownStatus(state),
      containers: state.containers.map((c) => {
        const dockerId = dockerIdOf(c.known);
        return { name: c.name, status: c.known.status, ...(dockerId ? { dockerId } : {}) };
      }),
    }));
  }

  /** Removes a stopped task's containers and forgets the task (cleanup after
   *  ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION is the caller's timing). Running containers are refused. */
  async removeTaskContainers(taskArn: string): Promise<void> {
    const actor = this.#actors.get(taskArn);
    if (!actor) return;
    if (taskKnownStatus(actor.state) !== 'STOPPED') throw new Error(`task ${taskArn} is not stopped`);
    const ids = actor.state.containers.flatMap((c) => dockerIdOf(c.known) ?? []);
    await Promise.all(ids.map((id) => this.#o.docker.removeContainer(id)));
    actor.close();
    this.#actors.delete(taskArn);
    this.#log.info({ taskArn, removed: ids.length }, 'task containers removed');
  }

  /** Stops watching Docker and handling events; containers are left as they are. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#events?.close();
    for (const actor of this.#actors.values()) actor.close();
  }

  #onDockerEvent(e: ContainerEvent): void {
    const taskArn = e.labels[ECS_LABELS.taskArn];
    const actor = taskArn ? this.#actors.get(taskArn) : undefined;
    if (!actor) return; // not ours (another agent's, or a task we no longer track)
    switch (e.action) {
      case 'die':
        // Report on `die` itself: it arrives ~60 ms before Docker's stop call returns.
        actor.dispatch({ type: 'exited', dockerId: e.id, finishedAt: e.time, ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}) });
        return;
      case 'oom':
        this.#log.warn({ taskArn, dockerId: e.id }, 'container ran out of memory');
        return;
      case 'start':
      case 'kill':
      case 'destroy':
        this.#log.debug({ taskArn, dockerId: e.id, action: e.action }, 'docker event');
        return;
      default:
        assertNever(e.action);
    }
  }
}
