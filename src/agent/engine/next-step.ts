// PURE: the task engine's whole decision logic. Given a task state and one event, returns the next
// state and the effects to run (Docker calls and reports) as data; task-actor.ts runs them and
// feeds the results back as events. This is ecs-agent's managedTask + containerNextState, without
// the I/O. Inputs are never mutated; time comes in as `now` (epoch ms), never read here.
import type { ContainerEntry, ContainerKnown } from './container-state.ts';
import { assertNever, dockerIdOf, statusRank } from './container-state.ts';
import { desiredRank, hasHealthCheck, taskKnownStatus, type TaskState } from './task-state.ts';
import type { Effect, PullWindow, TaskEvent } from './task-events.ts';
import { buildTaskChange } from './task-change.ts';
import { dependencyVerdict, invalidDependencies, shutdownBlockers } from './dependencies.ts';

export interface Step {
  state: TaskState;
  effects: Effect[];
  /** Epoch ms at which to be called again with a `tick` (a dependency's startTimeout runs out). */
  wakeAt?: number;
}

export function nextStep(prev: TaskState, event: TaskEvent, now: number): Step {
  const state: TaskState = { ...prev, containers: prev.containers.map((c) => ({ ...c })) };
  applyEvent(state, event, now);
  const { ready, wakeAt } = state.desired === 'RUNNING' ? resolveDependencies(state, now) : { ready: new Set<string>(), wakeAt: undefined };
  // An essential container that stopped (exited, or failed to start) takes the task down; so does
  // having no container left running.
  if (state.desired === 'RUNNING' && state.containers.some((c) => c.known.status === 'STOPPED' && (c.essential || allStopped(state)))) {
    state.desired = 'STOPPED';
  }
  const effects: Effect[] = [];
  for (const c of state.containers) {
    if (c.inFlight) continue; // one Docker call per container at a time; its result re-runs this
    const effect = state.desired === 'RUNNING' ? towardsRunning(c, state, ready) : towardsStopped(c, state);
    if (effect) effects.push(effect);
  }
  if (taskKnownStatus(state) === 'STOPPED') state.stoppedAt ??= now;
  const report = reportDue(state);
  if (report) {
    effects.push({ type: 'emit', change: buildTaskChange(state, report) });
    state.sent = report;
    state.sentContainers = containersReported(state);
  }
  return { state, effects, ...(state.desired === 'RUNNING' && wakeAt !== undefined ? { wakeAt } : {}) };
}

/**
 * Before anything exists, a task whose ordering is impossible fails at once (the real agent's
 * ValidDependencies). Then each container not yet started, with no Docker call under way, is
 * checked against its dependsOn: one whose dependency can never be met is STOPPED with the reason
 * (repeated until nothing changes, as one failure can doom the containers waiting on it).
 * Returns the containers free to be created and started, and the earliest startTimeout deadline.
 */
function resolveDependencies(state: TaskState, now: number): { ready: Set<string>; wakeAt: number | undefined } {
  const pristine = state.containers.every((c) => statusRank(c.known.status) < statusRank('CREATED'));
  const invalid = pristine ? invalidDependencies(state.definition) : undefined;
  if (invalid) {
    state.reason = `TaskDependencyError: ${invalid.reason}`;
    state.desired = 'STOPPED';
    const c = state.containers.find((x) => x.name === invalid.container);
    if (c && !c.inFlight) c.known = { status: 'STOPPED', reason: state.reason };
    return { ready: new Set(), wakeAt: undefined };
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const c of state.containers) {
      if (c.inFlight || statusRank(c.known.status) >= statusRank('RUNNING')) continue;
      const v = dependencyVerdict(c, state, now);
      if (v.kind !== 'fail') continue;
      const dockerId = dockerIdOf(c.known);
      c.known = { status: 'STOPPED', ...(dockerId ? { dockerId } : {}), reason: v.reason };
      changed = true;
    }
  }
  const ready = new Set<string>();
  let wakeAt: number | undefined;
  for (const c of state.containers) {
    if (statusRank(c.known.status) >= statusRank('RUNNING')) continue;
    const v = dependencyVerdict(c, state, now);
    if (v.kind === 'ready') ready.add(c.name);
    else if (v.kind === 'wait' && v.until !== undefined) wakeAt = wakeAt === undefined ? v.until : Math.min(wakeAt, v.until);
  }
  return { ready, wakeAt };
}

function applyEvent(state: TaskState, event: TaskEvent, now: number): void {
  switch (event.type) {
    case 'desired':
      if (desiredRank(event.desired) > desiredRank(state.desired)) state.desired = event.desired;
      return;
    case 'tick':
      return; // only time moved: the dependency checks run again
    case 'exited': {
      const c = state.containers.find((x) => dockerIdOf(x.known) === event.dockerId);
      if (c) c.known = exited(c.known, event.exitCode, event.finishedAt, event.reason);
      return;
    }
    case 'health': {
      const c = state.containers.find((x) => dockerIdOf(x.known) === event.dockerId);
      // Only containers with a health check of their own count (not an image's HEALTHCHECK).
      if (c && healthChecked(state, c) && c.known.status === 'RUNNING') c.health = event.status;
      return;
    }
    default:
      applyResult(state, event, now);
  }
}

/** The outcome of a container's in-flight Docker call. */
function applyResult(state: TaskState, event: Exclude<TaskEvent, { type: 'desired' | 'tick' | 'exited' | 'health' }>, now: number): void {
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
        // startedAt always set: a dependency's startTimeout counts from it.
        c.known = { status: 'RUNNING', dockerId: k.dockerId, networkBindings: event.networkBindings, startedAt: event.startedAt ?? now };
        if (healthChecked(state, c)) c.health = event.health ?? 'UNKNOWN';
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
function exited(k: ContainerKnown, exitCode: number | undefined, finishedAt: number | undefined, reason?: string): ContainerKnown {
  switch (k.status) {
    case 'NONE':
    case 'PULLED':
      return k; // no container to exit
    case 'CREATED':
    case 'RUNNING':
      return { status: 'STOPPED', dockerId: k.dockerId, ...definedOnly({ exitCode, finishedAt, reason }) };
    case 'STOPPED':
      return { ...k, ...definedOnly({ exitCode: k.exitCode ?? exitCode, finishedAt: k.finishedAt ?? finishedAt, reason: k.reason ?? reason }) };
    default:
      return assertNever(k);
  }
}

function towardsRunning(c: ContainerEntry, state: TaskState, ready: ReadonlySet<string>): Effect | undefined {
  const k = c.known;
  switch (k.status) {
    case 'NONE':
      // Images are pulled up front, whatever the ordering (ECS_PULL_DEPENDENT_CONTAINERS_UPFRONT).
      c.inFlight = 'pull';
      return { type: 'pull', container: c.name, image: c.image };
    case 'PULLED':
      // Re-checked on every later event (and at a startTimeout deadline).
      if (!ready.has(c.name) || !createDependenciesMet(c, state)) return undefined;
      c.inFlight = 'create';
      return { type: 'create', container: c.name, dockerName: c.dockerName };
    case 'CREATED':
      if (!ready.has(c.name)) return undefined; // adopted after a restart before its dependencies were met
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

function towardsStopped(c: ContainerEntry, state: TaskState): Effect | undefined {
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
      if (c.stopFailed || shutdownBlockers(c, state).length > 0) return undefined; // dependents stop first
      c.inFlight = 'stop';
      return { type: 'stop', container: c.name, dockerId: k.dockerId, timeoutSec: c.stopTimeoutSec };
    case 'STOPPED':
      return undefined;
    default:
      return assertNever(k);
  }
}

/** RUNNING once every container runs (and only while the task is meant to run: a task already
 *  being torn down is not reported as RUNNING); STOPPED once every container stopped. While the
 *  task runs, a container that changes after that (a non-essential one exiting) is reported with a
 *  repeated RUNNING, as the real agent's batched container changes are. */
function reportDue(state: TaskState): 'RUNNING' | 'STOPPED' | undefined {
  const known = taskKnownStatus(state);
  if (known === 'STOPPED' && state.sent !== 'STOPPED') return 'STOPPED';
  if (known !== 'RUNNING' || state.desired !== 'RUNNING') return undefined;
  if (state.sent === 'NONE') return 'RUNNING';
  if (state.sent === 'RUNNING') {
    // A checkpoint from before this was recorded: take what it holds as reported.
    state.sentContainers ??= containersReported(state);
    if (state.sentContainers !== containersReported(state)) return 'RUNNING';
  }
  return undefined;
}

/** What a report says of the containers, to tell whether a new one has anything to add. */
export function containersReported(state: TaskState): string {
  return state.containers.map((c) => `${c.known.status}:${c.known.status === 'STOPPED' ? c.known.exitCode ?? '' : ''}`).join(',');
}

/** Whether Docker runs a health check for `c` (decided from the definition for checkpoints that
 *  predate the `health` field). */
function healthChecked(state: TaskState, c: ContainerEntry): boolean {
  if (c.health !== undefined) return true;
  const def = state.definition.containers.find((d) => d.name === c.name);
  return def !== undefined && hasHealthCheck(def);
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
