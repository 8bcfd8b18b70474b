// PURE: the task engine's whole decision logic. Given a task state and one event, returns the next
// state and the effects to run (Docker calls and reports) as data; task-actor.ts runs them and
// feeds the results back as events. This is ecs-agent's managedTask + containerNextState, without
// the I/O. Inputs are never mutated.
import type { ContainerEntry, ContainerKnown } from './container-state.ts';
import { assertNever, dockerIdOf, statusRank } from './container-state.ts';
import { desiredRank, taskKnownStatus, type TaskState } from './task-state.ts';
import type { Effect, PullWindow, TaskEvent } from './task-events.ts';
import { buildTaskChange } from './task-change.ts';

export interface Step {
  state: TaskState;
  effects: Effect[];
}

export function nextStep(prev: TaskState, event: TaskEvent): Step {
  const state: TaskState = { ...prev, containers: prev.containers.map((c) => ({ ...c })) };
  applyEvent(state, event);
  // An essential container that stopped (exited, or failed to start) takes the task down; so does
  // having no container left running.
  if (state.desired === 'RUNNING' && state.containers.some((c) => c.known.status === 'STOPPED' && (c.essential || allStopped(state)))) {
    state.desired = 'STOPPED';
  }
  const effects: Effect[] = [];
  for (const c of state.containers) {
    if (c.inFlight) continue; // one Docker call per container at a time; its result re-runs this
    const effect = state.desired === 'RUNNING' ? towardsRunning(c, state) : towardsStopped(c);
    if (effect) effects.push(effect);
  }
  const report = reportDue(state);
  if (report) {
    effects.push({ type: 'emit', change: buildTaskChange(state, report) });
    state.sent = report;
  }
  return { state, effects };
}

function applyEvent(state: TaskState, event: TaskEvent): void {
  if (event.type === 'desired') {
    if (desiredRank(event.desired) > desiredRank(state.desired)) state.desired = event.desired;
    return;
  }
  if (event.type === 'exited') {
    const c = state.containers.find((x) => dockerIdOf(x.known) === event.dockerId);
    if (c) c.known = exited(c.known, event.exitCode, event.finishedAt);
    return;
  }
  const c = state.containers.find((x) => x.name === event.container);
  if (!c) return;
  delete c.inFlight; // every remaining event is the result of this container's in-flight call
  const k = c.known;
  switch (event.type) {
    case 'pulled':
      widenPull(state, event.pull);
      if (k.status === 'NONE') c.known = { status: 'PULLED' };
      return;
    case 'pullFailed':
      widenPull(state, event.pull);
      if (k.status === 'NONE') c.known = { status: 'STOPPED', reason: event.reason };
      return;
    case 'created':
      if (statusRank(k.status) < statusRank('CREATED')) c.known = { status: 'CREATED', dockerId: event.dockerId };
      return;
    case 'createFailed':
      if (statusRank(k.status) < statusRank('CREATED')) c.known = { status: 'STOPPED', reason: event.reason };
      return;
    case 'started':
      // A container that died before start() returned is already STOPPED: keep that.
      if (k.status === 'CREATED') {
        c.known = { status: 'RUNNING', dockerId: k.dockerId, networkBindings: event.networkBindings, ...(event.startedAt !== undefined ? { startedAt: event.startedAt } : {}) };
      }
      return;
    case 'startFailed':
      if (k.status === 'CREATED') c.known = { status: 'STOPPED', dockerId: k.dockerId, reason: event.reason };
      return;
    case 'stopped':
      c.known = exited(k, event.exitCode, event.finishedAt);
      return;
    case 'stopFailed':
      c.stopFailed = true;
      return;
    default:
      assertNever(event);
  }
}

/** The container exited: STOPPED with what we learnt; a second report only fills gaps. */
function exited(k: ContainerKnown, exitCode: number | undefined, finishedAt: number | undefined): ContainerKnown {
  switch (k.status) {
    case 'NONE':
    case 'PULLED':
      return k; // no container to exit
    case 'CREATED':
    case 'RUNNING':
      return { status: 'STOPPED', dockerId: k.dockerId, ...definedOnly({ exitCode, finishedAt }) };
    case 'STOPPED':
      return { ...k, ...definedOnly({ exitCode: k.exitCode ?? exitCode, finishedAt: k.finishedAt ?? finishedAt }) };
    default:
      return assertNever(k);
  }
}

function towardsRunning(c: ContainerEntry, state: TaskState): Effect | undefined {
  const k = c.known;
  switch (k.status) {
    case 'NONE':
      c.inFlight = 'pull';
      return { type: 'pull', container: c.name, image: c.image };
    case 'PULLED':
      if (!createDependenciesMet(c, state)) return undefined; // re-checked on every later event
      c.inFlight = 'create';
      return { type: 'create', container: c.name, dockerName: c.dockerName };
    case 'CREATED':
      c.inFlight = 'start';
      return { type: 'start', container: c.name, dockerId: k.dockerId };
    case 'RUNNING':
    case 'STOPPED':
      return undefined;
    default:
      return assertNever(k);
  }
}

/**
 * Docker resolves links and volumesFrom when it creates a container, and a link only to a running
 * one (the real agent's link/volume dependencies): wait for linked containers to be RUNNING and
 * volume sources to exist. A target that already STOPPED no longer blocks; Docker's own error
 * (or the task stopping for an essential exit) then decides.
 */
function createDependenciesMet(c: ContainerEntry, state: TaskState): boolean {
  const def = state.definition.containers.find((d) => d.name === c.name);
  if (!def) return true;
  const statusOf = (name: string) => state.containers.find((x) => x.name === name)?.known.status;
  const linksReady = (def.links ?? []).every((l) => {
    const s = statusOf(l.split(':')[0] ?? '');
    return s === undefined || s === 'RUNNING' || s === 'STOPPED';
  });
  const volumesReady = (def.volumesFrom ?? []).every((v) => {
    const s = statusOf(v.sourceContainer ?? '');
    return s === undefined || statusRank(s) >= statusRank('CREATED');
  });
  return linksReady && volumesReady;
}

function towardsStopped(c: ContainerEntry): Effect | undefined {
  const k = c.known;
  switch (k.status) {
    case 'NONE':
    case 'PULLED':
      c.known = { status: 'STOPPED' }; // nothing exists in Docker: stopped without touching it
      return undefined;
    case 'CREATED':
      c.known = { status: 'STOPPED', dockerId: k.dockerId }; // created, never started
      return undefined;
    case 'RUNNING':
      if (c.stopFailed) return undefined;
      c.inFlight = 'stop';
      return { type: 'stop', container: c.name, dockerId: k.dockerId, timeoutSec: c.stopTimeoutSec };
    case 'STOPPED':
      return undefined;
    default:
      return assertNever(k);
  }
}

/** RUNNING once every container runs (and only while the task is meant to run: a task already
 *  being torn down is not reported as RUNNING); STOPPED once every container stopped. */
function reportDue(state: TaskState): 'RUNNING' | 'STOPPED' | undefined {
  const known = taskKnownStatus(state);
  if (known === 'STOPPED' && state.sent !== 'STOPPED') return 'STOPPED';
  if (known === 'RUNNING' && state.sent === 'NONE' && state.desired === 'RUNNING') return 'RUNNING';
  return undefined;
}

function allStopped(state: TaskState): boolean {
  return state.containers.every((c) => c.known.status === 'STOPPED');
}

function widenPull(state: TaskState, pull: PullWindow | undefined): void {
  if (!pull) return;
  state.pull = state.pull
    ? { startedAt: Math.min(state.pull.startedAt, pull.startedAt), stoppedAt: Math.max(state.pull.stoppedAt, pull.stoppedAt) }
    : { ...pull };
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
