// PURE: dependsOn planning — what the task engine's decision function does with START, COMPLETE,
// SUCCESS and HEALTHY, a dependency's startTimeout, reverse order on the way down, and every
// dependency that can never be met (which fails, never hangs).
import { describe, expect, it } from 'vitest';
import { nextStep, type Step } from '../../src/agent/engine/next-step.ts';
import { dependencyVerdict, invalidDependencies, shutdownBlockers } from '../../src/agent/engine/dependencies.ts';
import { hasHealthCheck, initialTaskState, taskKnownStatus, type TaskState } from '../../src/agent/engine/task-state.ts';
import type { ContainerKnown } from '../../src/agent/engine/container-state.ts';
import type { TaskEvent } from '../../src/agent/engine/task-events.ts';
import type { AcsContainer, AcsContainerDependency, AcsTask } from '../../src/protocol/acs-messages.ts';

const ARN = 'arn:aws:ecs:us-west-2:123456789012:task/c/deps';
const T0 = 1_800_000_000_000;

function c(name: string, over: Partial<AcsContainer> = {}): AcsContainer {
  return { name, image: 'img', essential: true, ...over };
}
const on = (containerName: string, condition: AcsContainerDependency['condition']): AcsContainerDependency => ({ containerName, condition });
const checked = { healthCheckType: 'docker' as const };

function taskOf(containers: AcsContainer[]): AcsTask {
  return { arn: ARN, family: 'deps', version: '1', desiredStatus: 'RUNNING', containers };
}
function stateOf(containers: AcsContainer[], knowns: Record<string, ContainerKnown> = {}): TaskState {
  const s = initialTaskState(taskOf(containers), { defaultStopTimeoutMs: 30_000 });
  for (const x of s.containers) if (knowns[x.name]) x.known = knowns[x.name]!;
  return s;
}
const step = (s: TaskState, e: TaskEvent, now = T0): Step => nextStep(s, e, now);
const pulled: ContainerKnown = { status: 'PULLED' };
const running = (id: string, startedAt = T0): ContainerKnown => ({ status: 'RUNNING', dockerId: id, startedAt, networkBindings: [] });
const exitedWith = (id: string, exitCode: number): ContainerKnown => ({ status: 'STOPPED', dockerId: id, exitCode });
const dockerCalls = (st: Step, type: string) => st.effects.flatMap((e) => (e.type === type && 'container' in e ? [e.container] : []));

describe('invalidDependencies: impossible orderings are found before anything runs', () => {
  it.each<[string, AcsContainer[], RegExp]>([
    ['unknown container', [c('app', { dependsOn: [on('ghost', 'START')] })], /"app" depends on "ghost", which is not in the task/],
    ['itself', [c('app', { dependsOn: [on('app', 'START')] })], /"app" depends on itself/],
    ['HEALTHY without a health check', [c('db', { essential: false }), c('app', { dependsOn: [on('db', 'HEALTHY')] })], /"db" has no health check/],
    ['COMPLETE on an essential container', [c('init'), c('app', { dependsOn: [on('init', 'COMPLETE')] })], /"init" is essential: its exit stops the task/],
    ['SUCCESS on an essential container', [c('init'), c('app', { dependsOn: [on('init', 'SUCCESS')] })], /exit successfully \(SUCCESS\), but "init" is essential/],
    ['an unknown condition', [c('db'), c('app', { dependsOn: [{ containerName: 'db', condition: 'READY' as 'START' }] })], /condition "READY"/],
    ['a dependsOn cycle', [c('a', { dependsOn: [on('b', 'START')] }), c('b', { dependsOn: [on('a', 'START')] })], /cycle: a → b → a/],
    ['a cycle through links and volumesFrom', [
      c('a', { dependsOn: [on('b', 'START')] }), c('b', { links: ['c:cee'] }), c('c', { volumesFrom: [{ sourceContainer: 'a' }] }),
    ], /cycle: a → b → c → a/],
  ])('%s', (_name, containers, reason) => {
    expect(invalidDependencies(taskOf(containers))?.reason).toMatch(reason);
  });

  it('a valid graph passes, and a health check in the Docker config counts as one', () => {
    const db = c('db', { dockerConfig: { config: JSON.stringify({ Healthcheck: { Test: ['CMD-SHELL', 'true'] } }) } });
    expect(hasHealthCheck(db)).toBe(true);
    expect(hasHealthCheck(c('x', { dockerConfig: { config: JSON.stringify({ Healthcheck: { Test: ['NONE'] } }) } }))).toBe(false);
    expect(invalidDependencies(taskOf([
      c('init', { essential: false }), db, c('app', { dependsOn: [on('init', 'SUCCESS'), on('db', 'HEALTHY')] }), c('side', { dependsOn: [on('app', 'START')] }),
    ]))).toBeUndefined();
  });

  it('an impossible task is STOPPED at once with the reason on the task and the container, and nothing is pulled', () => {
    const st = step(stateOf([c('a', { dependsOn: [on('b', 'START')] }), c('b', { dependsOn: [on('a', 'START')] })]), { type: 'desired', desired: 'RUNNING' });
    expect(st.effects).toHaveLength(1);
    const report = st.effects[0]!;
    expect(report.type === 'emit' && report.change).toMatchObject({
      status: 'STOPPED', reason: 'TaskDependencyError: containers depend on each other in a cycle: a → b → a',
      containers: [{ containerName: 'a', status: 'STOPPED', reason: expect.stringMatching(/^TaskDependencyError: .*cycle/) }, { containerName: 'b', status: 'STOPPED' }],
    });
  });
});

describe('dependencyVerdict per condition', () => {
  const app = (cond: AcsContainerDependency['condition'], dep: ContainerKnown, o: { health?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN'; startTimeout?: number } = {}) => {
    const s = stateOf([
      c('dep', { essential: false, ...checked, ...(o.startTimeout ? { startTimeout: o.startTimeout } : {}) }),
      c('app', { dependsOn: [on('dep', cond)] }),
    ], { dep, app: pulled });
    if (o.health) s.containers[0]!.health = o.health;
    return dependencyVerdict(s.containers[1]!, s, T0 + 1_000);
  };

  it.each<[AcsContainerDependency['condition'], ContainerKnown, 'ready' | 'wait' | 'fail', ('HEALTHY' | 'UNHEALTHY')?]>([
    ['START', { status: 'CREATED', dockerId: 'd' }, 'wait'],
    ['START', running('d'), 'ready'],
    ['START', exitedWith('d', 1), 'ready'], // it did start
    ['COMPLETE', running('d'), 'wait'],
    ['COMPLETE', exitedWith('d', 1), 'ready'],
    ['SUCCESS', exitedWith('d', 0), 'ready'],
    ['SUCCESS', exitedWith('d', 3), 'fail'],
    ['HEALTHY', running('d'), 'wait'],
    ['HEALTHY', running('d'), 'wait', 'UNHEALTHY'], // may still recover: waits (a startTimeout bounds it)
    ['HEALTHY', running('d'), 'ready', 'HEALTHY'],
    ['HEALTHY', exitedWith('d', 0), 'fail'],
  ])('%s with the dependency %o → %s', (cond, dep, verdict, health) => {
    expect(app(cond, dep, health ? { health } : {}).kind).toBe(verdict);
  });

  it.each(['START', 'COMPLETE', 'SUCCESS', 'HEALTHY'] as const)('%s on a dependency that failed to start fails with its reason', (cond) => {
    const v = app(cond, { status: 'STOPPED', reason: 'CannotPullContainerError: nope' });
    expect(v).toEqual({ kind: 'fail', reason: expect.stringMatching(/waits for "dep" to .*, which will never start \(CannotPullContainerError: nope\)$/) });
  });

  it('startTimeout: waits until the dependency has run that long, then fails; START never times out', () => {
    expect(app('HEALTHY', running('d', T0), { startTimeout: 5 })).toEqual({ kind: 'wait', until: T0 + 5_000 });
    expect(app('COMPLETE', running('d', T0 - 10_000), { startTimeout: 5 })).toEqual({
      kind: 'fail', reason: expect.stringMatching(/waits for "dep" to exit \(COMPLETE\), which did not get there within its startTimeout of 5s/),
    });
    expect(app('START', { status: 'CREATED', dockerId: 'd' }, { startTimeout: 1 }).kind).toBe('wait');
    expect(app('HEALTHY', running('d', T0 - 10_000), { health: 'HEALTHY', startTimeout: 5 }).kind).toBe('ready'); // met: no timeout
  });
});

describe('nextStep with dependsOn', () => {
  const web = [
    c('init', { essential: false }),
    c('db', { ...checked }),
    c('app', { dependsOn: [on('init', 'SUCCESS'), on('db', 'HEALTHY')] }),
    c('side', { essential: false, dependsOn: [on('app', 'START')] }),
  ];

  it('starts in dependency order: each container is created only once what it waits for holds', () => {
    let s = stateOf(web, { init: pulled, db: pulled, app: pulled, side: pulled });
    let st = step(s, { type: 'desired', desired: 'RUNNING' });
    expect(dockerCalls(st, 'create')).toEqual(['init', 'db']);
    s = step(step(st.state, { type: 'created', container: 'init', dockerId: 'i' }).state, { type: 'created', container: 'db', dockerId: 'd' }).state;
    s = step(step(s, { type: 'started', container: 'init', networkBindings: [] }).state, { type: 'started', container: 'db', networkBindings: [], health: 'UNKNOWN' }).state;
    st = step(s, { type: 'exited', dockerId: 'i', exitCode: 0 });
    expect(dockerCalls(st, 'create')).toEqual([]); // db not healthy yet
    st = step(st.state, { type: 'health', dockerId: 'd', status: 'HEALTHY' });
    expect(dockerCalls(st, 'create')).toEqual(['app']);
    st = step(step(st.state, { type: 'created', container: 'app', dockerId: 'a' }).state, { type: 'started', container: 'app', networkBindings: [] });
    expect(dockerCalls(st, 'create')).toEqual(['side']);
    st = step(step(st.state, { type: 'created', container: 'side', dockerId: 's' }).state, { type: 'started', container: 'side', networkBindings: [] });
    expect(st.effects.find((e) => e.type === 'emit')).toMatchObject({ change: { status: 'RUNNING' } }); // init exited 0, non-essential
    expect(st.state.desired).toBe('RUNNING');
  });

  it('stops in reverse order: a container stops only after those that depend on it', () => {
    const s = stateOf(web, { init: exitedWith('i', 0), db: running('d'), app: running('a'), side: running('s') });
    s.sent = 'RUNNING';
    let st = step(s, { type: 'desired', desired: 'STOPPED' });
    expect(dockerCalls(st, 'stop')).toEqual(['side']);
    st = step(st.state, { type: 'exited', dockerId: 's', exitCode: 0 });
    expect(dockerCalls(st, 'stop')).toEqual(['app']);
    expect(shutdownBlockers(st.state.containers[1]!, st.state)).toEqual(['app']);
    st = step(st.state, { type: 'exited', dockerId: 'a', exitCode: 0 });
    expect(dockerCalls(st, 'stop')).toEqual(['db']);
  });

  it('a dependent whose stop failed for good no longer holds its dependency up', () => {
    const s = stateOf([c('db'), c('app', { dependsOn: [on('db', 'START')] })], { db: running('d'), app: running('a') });
    s.sent = 'RUNNING';
    const st = step(step(s, { type: 'desired', desired: 'STOPPED' }).state, { type: 'stopFailed', container: 'app', reason: 'CannotStopContainerError: x' });
    expect(dockerCalls(st, 'stop')).toEqual(['db']);
  });

  it('a SUCCESS dependency exiting non-zero fails the essential dependent and the task, with the reason', () => {
    const s = stateOf(web, { init: running('i'), db: running('d'), app: pulled, side: pulled });
    const st = step(s, { type: 'exited', dockerId: 'i', exitCode: 3 });
    expect(st.state.desired).toBe('STOPPED');
    expect(st.state.containers.find((x) => x.name === 'app')!.known).toEqual({
      status: 'STOPPED', reason: 'CannotStartContainerError: dependency of container "app" cannot be met: it waits for "init" to exit successfully (SUCCESS), which exited with code 3',
    });
    expect(dockerCalls(st, 'stop')).toEqual(['db']); // side: never created; app: never created
    expect(st.state.containers.find((x) => x.name === 'side')!.known.status).toBe('STOPPED');
  });

  it('one failure dooms what waits on it in the same step, and a non-essential failure leaves the task running', () => {
    const s = stateOf([
      c('main'), c('dep', { essential: false }),
      c('mid', { essential: false, dependsOn: [on('dep', 'START')] }), c('leaf', { essential: false, dependsOn: [on('mid', 'START')] }),
    ], { main: running('m'), dep: pulled, mid: pulled, leaf: pulled });
    const st = step(s, { type: 'createFailed', container: 'dep', reason: 'CannotCreateContainerError: no' });
    expect(st.state.containers.map((x) => x.known.status)).toEqual(['RUNNING', 'STOPPED', 'STOPPED', 'STOPPED']);
    expect((st.state.containers[3]!.known as { reason?: string }).reason).toMatch(/waits for "mid" to start, which will never start/);
    expect(st.state.desired).toBe('RUNNING');
    expect(taskKnownStatus(st.state)).toBe('RUNNING');
  });

  it('startTimeout: the step asks to be woken at the deadline, and the tick then fails the dependent', () => {
    const s = stateOf([c('db', { ...checked, startTimeout: 30 }), c('app', { dependsOn: [on('db', 'HEALTHY')] })], { db: running('d', T0), app: pulled });
    const waiting = step(s, { type: 'desired', desired: 'RUNNING' }, T0 + 1_000);
    expect(waiting.wakeAt).toBe(T0 + 30_000);
    expect(waiting.effects).toEqual([]);
    const late = step(waiting.state, { type: 'tick' }, T0 + 30_000);
    expect(late.wakeAt).toBeUndefined();
    expect(late.state.containers[1]!.known).toMatchObject({ status: 'STOPPED', reason: expect.stringMatching(/startTimeout of 30s/) });
    expect(late.state.desired).toBe('STOPPED');
    expect(dockerCalls(late, 'stop')).toEqual(['db']);
  });

  it('health events only touch health-checked, running containers; a restart keeps them', () => {
    const s = stateOf([c('db', { ...checked }), c('plain')], { db: running('d'), plain: running('p') });
    const st = step(step(s, { type: 'health', dockerId: 'd', status: 'UNHEALTHY' }).state, { type: 'health', dockerId: 'p', status: 'HEALTHY' });
    expect(st.state.containers.map((x) => x.health)).toEqual(['UNHEALTHY', undefined]);
  });

  it('stoppedAt is stamped once, when the task is first known STOPPED (the cleanup clock)', () => {
    const s = stateOf([c('x')], { x: running('x') });
    const first = step(s, { type: 'exited', dockerId: 'x', exitCode: 0 }, T0 + 5);
    expect(first.state.stoppedAt).toBe(T0 + 5);
    expect(step(first.state, { type: 'tick' }, T0 + 99).state.stoppedAt).toBe(T0 + 5);
  });
});
