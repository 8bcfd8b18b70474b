// Runs one Docker effect and turns its outcome into events for the task's actor: the status →
// Docker-call table of ecs-agent's managedTask. Never throws: a failure is an event too, carrying
// the ECS reason ("CannotCreateContainerError: …") the backend will show.
import type { Logger } from 'pino';
import type { AcsTask } from '../../protocol/acs-messages.ts';
import type { DockerEngine, DockerHostConfig } from '../docker/docker-engine.ts';
import { DockerOperationError, dockerStatusCode } from '../docker/docker-errors.ts';
import { containerCreateSpec, containerName, ECS_LABELS } from '../docker/container-config.ts';
import { nameSuffix } from './task-state.ts';
import type { ImagePuller } from './image-puller.ts';
import type { DockerEffect, PullWindow, TaskEvent } from './task-events.ts';
import { assertNever } from './container-state.ts';

export interface TransitionContext {
  docker: DockerEngine;
  puller: ImagePuller;
  cluster: string;
  hostConfigDefaults?: Partial<DockerHostConfig>;
  availableLoggingDrivers?: string[];
  task: AcsTask;
  logger: Logger;
}

/** Stop attempts before giving up (the die event still lands if the container exits later). */
const STOP_ATTEMPTS = 3;
const STOP_RETRY_MS = 1_000;

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
  const result = containerCreateSpec(ctx.task, def, {
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
  try {
    const { id } = await ctx.docker.createContainer(result.spec);
    log.info({ dockerId: id, name: result.spec.name }, 'container created');
    return { type: 'created', container, dockerId: id };
  } catch (err) {
    const existing = dockerStatusCode((err as Error).cause) === 409 ? await ownContainerNamed(dockerName, container, ctx) : undefined;
    if (existing) {
      // Our own create already happened (its answer was lost): adopt it, never create a second one.
      log.warn({ dockerId: existing, name: dockerName }, 'container already existed under its decided name; adopting it');
      return { type: 'created', container, dockerId: existing };
    }
    log.warn({ err }, 'container create failed');
    return { type: 'createFailed', container, reason: reasonOf(err) };
  }
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
    log.warn({ err }, 'container start failed');
    return [{ type: 'startFailed', container, reason: reasonOf(err) }];
  }
  try {
    const info = await ctx.docker.inspectContainer(dockerId);
    log.info({ running: info.running }, 'container started');
    const started: TaskEvent = { type: 'started', container, networkBindings: info.portBindings, ...(info.startedAt !== undefined ? { startedAt: info.startedAt } : {}) };
    if (info.running) return [started];
    // Exited already: record the exit first so that the task is never reported RUNNING for it.
    return [{ type: 'exited', dockerId, exitCode: info.exitCode, ...(info.finishedAt !== undefined ? { finishedAt: info.finishedAt } : {}) }, started];
  } catch (err) {
    log.warn({ err }, 'container started but inspect failed; reporting no port bindings');
    return [{ type: 'started', container, networkBindings: [] }];
  }
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
