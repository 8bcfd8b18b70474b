// Runs one Docker effect and turns its outcome into events for the task's actor: the status →
// Docker-call table of ecs-agent's managedTask. Never throws: a failure is an event too, carrying
// the ECS reason ("CannotCreateContainerError: …") the backend will show.
import type { Logger } from 'pino';
import type { AcsTask } from '../../protocol/acs-messages.ts';
import type { DockerEngine, DockerHostConfig } from '../docker/docker-engine.ts';
import { DockerOperationError, DockerTimeoutError, dockerStatusCode } from '../docker/docker-errors.ts';

import { containerCreateSpec, containerName, ECS_LABELS } from '../docker/container-config.ts';
import type { TaskResources } from '../docker/task-resources.ts';
import { foldRangeBindings } from '../docker/container-ports.ts';
import { nameSuffix } from './task-state.ts';
import type { ImagePuller } from './image-puller.ts';
import type { DockerEffect, PullWindow, TaskEvent } from './task-events.ts';
import { assertNever, healthStatus } from './container-state.ts';

export interface TransitionContext {
  docker: DockerEngine;
  puller: ImagePuller;
  cluster: string;
  hostConfigDefaults?: Partial<DockerHostConfig>;
  availableLoggingDrivers?: string[];
  /** Task cgroup, shared volume checks and host port ranges, made ready before each create. */
  taskResources?: TaskResources;
  task: AcsTask;
  logger: Logger;
}

/** Stop attempts before giving up (the die event still lands if the container exits later). */
const STOP_ATTEMPTS = 3;
const STOP_RETRY_MS = 1_000;
/** Create calls in all when they time out (ECS_CONTAINER_CREATE_TIMEOUT): the decided name makes a
 *  retry safe, since Docker refuses a second container under it and the first one is adopted. */
const CREATE_ATTEMPTS = 2;
/** How long a timed-out create or start may still take to land in Docker before we look for it. */
const CREATE_SETTLE_MS = [250, 1_000] as const;

export async function runEffect(effect: DockerEffect, ctx: TransitionContext): Promise<TaskEvent[]> {
  const log = ctx.logger.child({ container: effect.container, ...('dockerId' in effect ? { dockerId: effect.dockerId } : {}) });
  try {
    switch (effect.type) {
      case 'pull':
        return [await pull(effect.container, effect.image, ctx, log)];
      case 'create':
        return [await create(effect.container, effect.dockerName, ctx, log)];
      case 'start':
        return await start(effect.container, effect.dockerId, ctx, log);
      case 'stop':
        return [await stop(effect.container, effect.dockerId, effect.timeoutSec, ctx, log)];
      default:
        return assertNever(effect);
    }
  } catch (err) {
    log.error({ err, effect: effect.type }, 'unexpected failure running a Docker effect');
    return [failureEvent(effect, err)];
  }
}

async function pull(container: string, image: string, ctx: TransitionContext, log: Logger): Promise<TaskEvent> {
  try {
    const { pull: window } = await ctx.puller.ensure(image);
    log.info({ image, pulled: window !== undefined }, 'image ready');
    return { type: 'pulled', container, ...(window ? { pull: window } : {}) };
  } catch (err) {
    const window = (err as { pull?: PullWindow }).pull;
    log.warn({ image, err }, 'image pull failed');
    return { type: 'pullFailed', container, reason: reasonOf(err), ...(window ? { pull: window } : {}) };
  }
}

async function create(container: string, dockerName: string, ctx: TransitionContext, log: Logger): Promise<TaskEvent> {
  const def = ctx.task.containers.find((c) => c.name === container);
  if (!def) return { type: 'createFailed', container, reason: `CannotCreateContainerError: no container ${container} in the task` };
  const prepared = ctx.taskResources ? await ctx.taskResources.prepare(ctx.task, def) : undefined;
  if (prepared && !prepared.ok) {
    log.warn({ reason: prepared.reason }, 'task resources not ready');
    return { type: 'createFailed', container, reason: prepared.reason };
  }
  const result = containerCreateSpec(ctx.task, def, {
    ...(prepared?.options ?? {}),
    cluster: ctx.cluster,
    name: dockerName, // decided and checkpointed before this call (task-state.ts)
    // Peers' names are a function of (task, container), so they are known before they exist.
    dockerNames: Object.fromEntries(ctx.task.containers.map((c) => [c.name, containerName(ctx.task, c, nameSuffix(ctx.task.arn, c.name))])),
    ...(ctx.availableLoggingDrivers ? { availableLoggingDrivers: ctx.availableLoggingDrivers } : {}),
    ...(ctx.hostConfigDefaults ? { hostConfigDefaults: ctx.hostConfigDefaults } : {}),
  });
  if (!result.ok) {
    log.warn({ reason: result.reason }, 'invalid container configuration');
    return { type: 'createFailed', container, reason: result.reason };
  }
  let lastError: unknown;
  for (let attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
    try {
      const { id } = await ctx.docker.createContainer(result.spec);
      log.info({ dockerId: id, name: result.spec.name }, 'container created');
      return { type: 'created', container, dockerId: id };
    } catch (err) {
      lastError = err;
      const cause = (err as Error).cause;
      const existing = dockerStatusCode(cause) === 409 ? await ownContainerNamed(dockerName, container, ctx) : undefined;
      if (existing) {
        // Our own create already happened (its answer was lost): adopt it, never create a second one.
        log.warn({ dockerId: existing, name: dockerName }, 'container already existed under its decided name; adopting it');
        return { type: 'created', container, dockerId: existing };
      }
      if (!(cause instanceof DockerTimeoutError)) break;
      // Timed out: Docker may still have made it (or be about to). Look before trying again.
      log.warn({ err, attempt }, 'container create timed out');
      const landed = await settledContainer(dockerName, container, ctx);
      if (landed) {
        log.warn({ dockerId: landed, name: dockerName }, 'the timed-out create did happen; adopting the container');
        return { type: 'created', container, dockerId: landed };
      }
    }
  }
  log.warn({ err: lastError }, 'container create failed');
  return { type: 'createFailed', container, reason: reasonOf(lastError) };
}

/** Our container under `name`, looked for a few times while a timed-out create may still land. */
async function settledContainer(name: string, container: string, ctx: TransitionContext): Promise<string | undefined> {
  for (const waitMs of CREATE_SETTLE_MS) {
    await new Promise((r) => setTimeout(r, waitMs));
    const id = await ownContainerNamed(name, container, ctx);
    if (id) return id;
  }
  return undefined;
}

/** The id of the container called `name` if it carries this task's and container's labels. */
async function ownContainerNamed(name: string, container: string, ctx: TransitionContext): Promise<string | undefined> {
  try {
    const info = await ctx.docker.inspectContainer(name);
    const ours = info.labels[ECS_LABELS.taskArn] === ctx.task.arn && info.labels[ECS_LABELS.containerName] === container;
    return ours ? info.id : undefined;
  } catch {
    return undefined;
  }
}

/** start, then inspect for the port bindings Docker chose (and to catch an instant exit). */
async function start(container: string, dockerId: string, ctx: TransitionContext, log: Logger): Promise<TaskEvent[]> {
  try {
    await ctx.docker.startContainer(dockerId);
  } catch (err) {
    if (!((err as Error).cause instanceof DockerTimeoutError) || !(await hasStarted(dockerId, ctx))) {
      log.warn({ err }, 'container start failed');
      if ((err as Error).cause instanceof DockerTimeoutError) {
        // The start may still take effect after we gave up (real agent #1043): stop it so that
        // nothing runs that the agent reports STOPPED.
        await ctx.docker.stopContainer(dockerId, 0).catch((e: unknown) => log.warn({ err: e }, 'stop after a timed-out start failed'));
      }
      return [{ type: 'startFailed', container, reason: reasonOf(err) }];
    }
    log.warn({ err }, 'container start timed out, but the container did start; carrying on');
  }
  try {
    const info = await ctx.docker.inspectContainer(dockerId);
    log.info({ running: info.running }, 'container started');
    const started: TaskEvent = {
      // A containerPortRange is reported as one binding, as ECS shows it.
      type: 'started', container, networkBindings: foldRangeBindings(info.portBindings, ctx.task.containers.find((c) => c.name === container)),
      ...(info.startedAt !== undefined ? { startedAt: info.startedAt } : {}),
      ...(info.health ? { health: healthStatus(info.health) } : {}),
    };
    if (info.running) return [started];
    // Exited already: record the exit first so that the task is never reported RUNNING for it.
    return [{ type: 'exited', dockerId, exitCode: info.exitCode, ...(info.finishedAt !== undefined ? { finishedAt: info.finishedAt } : {}) }, started];
  } catch (err) {
    log.warn({ err }, 'container started but inspect failed; reporting no port bindings');
    return [{ type: 'started', container, networkBindings: [] }];
  }
}

/** Whether a start that timed out took effect after all (the container runs, or ran and already
 *  exited), looked at a few times as it may land late. */
async function hasStarted(dockerId: string, ctx: TransitionContext): Promise<boolean> {
  for (const waitMs of [0, ...CREATE_SETTLE_MS]) {
    await new Promise((r) => setTimeout(r, waitMs));
    try {
      const info = await ctx.docker.inspectContainer(dockerId);
      if (info.running || info.startedAt !== undefined) return true;
    } catch {
      // gone or unreachable: look again, then give up
    }
  }
  return false;
}

async function stop(container: string, dockerId: string, timeoutSec: number, ctx: TransitionContext, log: Logger): Promise<TaskEvent> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= STOP_ATTEMPTS; attempt++) {
    try {
      log.info({ timeoutSec, attempt }, 'stopping container');
      await ctx.docker.stopContainer(dockerId, timeoutSec);
      lastError = undefined;
      break;
    } catch (err) {
      lastError = err;
      log.warn({ err, attempt }, 'container stop failed');
      if (attempt < STOP_ATTEMPTS) await new Promise((r) => setTimeout(r, STOP_RETRY_MS));
    }
  }
  try {
    const info = await ctx.docker.inspectContainer(dockerId);
    if (!info.running) return { type: 'stopped', container, exitCode: info.exitCode, ...(info.finishedAt !== undefined ? { finishedAt: info.finishedAt } : {}) };
  } catch (err) {
    if (lastError === undefined) return { type: 'stopped', container }; // stopped, only the details are lost
    log.warn({ err }, 'inspect after a failed stop failed too');
  }
  return { type: 'stopFailed', container, reason: reasonOf(lastError ?? new Error('container still running after stop')) };
}

function failureEvent(effect: DockerEffect, err: unknown): TaskEvent {
  const reason = reasonOf(err);
  switch (effect.type) {
    case 'pull': return { type: 'pullFailed', container: effect.container, reason };
    case 'create': return { type: 'createFailed', container: effect.container, reason };
    case 'start': return { type: 'startFailed', container: effect.container, reason };
    case 'stop': return { type: 'stopFailed', container: effect.container, reason };
    default: return assertNever(effect);
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof DockerOperationError) return err.reason;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
