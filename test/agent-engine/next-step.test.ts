// PURE decision logic: every container variant under each desired status, and each event kind.
import { describe, expect, it } from 'vitest';
import { nextStep } from '../../src/agent/engine/next-step.ts';
import { initialTaskState, taskKnownStatus, type TaskState } from '../../src/agent/engine/task-state.ts';
import type { ContainerKnown } from '../../src/agent/engine/container-state.ts';
import type { Effect, TaskEvent } from '../../src/agent/engine/task-events.ts';
import type { AcsTask } from '../../src/protocol/acs-messages.ts';

const ARN = 'arn:aws:ecs:us-west-2:123456789012:task/c/t1';

function state(knowns: ContainerKnown[], o: { desired?: 'RUNNING' | 'STOPPED'; essential?: boolean[]; sent?: TaskState['sent'] } = {}): TaskState {
  const task: AcsTask = {
    arn: ARN, family: 'f', version: '1', desiredStatus: o.desired ?? 'RUNNING',
    containers: knowns.map((_, i) => ({ name: `c${i}`, image: 'img', essential: o.essential?.[i] ?? true, ...(i === 0 ? { stopTimeout: 2 } : {}) })),
  };
  const s = initialTaskState(task, { defaultStopTimeoutMs: 30_000 });
  s.containers.forEach((c, i) => { c.known = knowns[i]!; });
  if (o.sent) s.sent = o.sent;
  return s;
}

const types = (effects: Effect[]): string[] => effects.map((e) => e.type);
/** Epoch ms the pure steps run at. */
const NOW = 1_800_000_000_000;
const step = (s: TaskState, e: TaskEvent, now = NOW) => nextStep(s, e, now);
const RUNNING_K: ContainerKnown = { status: 'RUNNING', dockerId: 'd0', networkBindings: [] };

describe('nextStep: desired RUNNING, one step per container variant', () => {
  it.each<[ContainerKnown, Effect | undefined]>([
    [{ status: 'NONE' }, { type: 'pull', container: 'c0', image: 'img' }],
    [{ status: 'PULLED' }, { type: 'create', container: 'c0', dockerName: expect.stringMatching(/^ecs-f-1-c0-[0-9a-f]{20}$/) as unknown as string }],
    [{ status: 'CREATED', dockerId: 'd0' }, { type: 'start', container: 'c0', dockerId: 'd0' }],
  ])('%o → %o', (known, effect) => {
    const { state: s, effects } = step(state([known, RUNNING_K]), { type: 'desired', desired: 'RUNNING' });
    expect(effects).toEqual([effect]);
    expect(s.containers[0]!.inFlight).toBe(effect!.type);
  });

  it('RUNNING containers: reports RUNNING once, with every container', () => {
    const first = step(state([RUNNING_K, { ...RUNNING_K, dockerId: 'd1', networkBindings: [{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 32768, protocol: 'tcp' }] }]), { type: 'desired', desired: 'RUNNING' });
    expect(first.effects).toEqual([{
      type: 'emit',
      change: {
        task: ARN, status: 'RUNNING', reason: '',
        containers: [
          { containerName: 'c0', runtimeId: 'd0', status: 'RUNNING' },
          { containerName: 'c1', runtimeId: 'd1', status: 'RUNNING', networkBindings: [{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 32768, protocol: 'tcp' }] },
        ],
      },
    }]);
    expect(step(first.state, { type: 'desired', desired: 'RUNNING' }).effects).toEqual([]);
  });

  it('no second Docker call while one is in flight', () => {
    const s = state([{ status: 'NONE' }]);
    s.containers[0]!.inFlight = 'pull';
    expect(step(s, { type: 'desired', desired: 'RUNNING' }).effects).toEqual([]);
  });

  it('does not mutate its input', () => {
    const s = state([{ status: 'NONE' }]);
    const copy = structuredClone(s);
    step(s, { type: 'desired', desired: 'STOPPED' });
    expect(s).toEqual(copy);
  });
});

describe('nextStep: desired STOPPED, per container variant', () => {
  it.each<[ContainerKnown, ContainerKnown]>([
    [{ status: 'NONE' }, { status: 'STOPPED' }],
    [{ status: 'PULLED' }, { status: 'STOPPED' }],
    [{ status: 'CREATED', dockerId: 'd0' }, { status: 'STOPPED', dockerId: 'd0' }],
  ])('%o becomes %o without touching Docker', (known, after) => {
    const { state: s, effects } = step(state([known]), { type: 'desired', desired: 'STOPPED' });
    expect(s.containers[0]!.known).toEqual(after);
    expect(types(effects)).toEqual(['emit']);
  });

  it('RUNNING: stop with the container stopTimeout, else the default', () => {
    const { effects } = step(state([RUNNING_K, { ...RUNNING_K, dockerId: 'd1' }], { sent: 'RUNNING' }), { type: 'desired', desired: 'STOPPED' });
    expect(effects).toEqual([
      { type: 'stop', container: 'c0', dockerId: 'd0', timeoutSec: 2 },
      { type: 'stop', container: 'c1', dockerId: 'd1', timeoutSec: 30 },
    ]);
  });

  it('a die event reports STOPPED at once, even before the stop call returns', () => {
    const stopping = step(state([RUNNING_K], { sent: 'RUNNING' }), { type: 'desired', desired: 'STOPPED' }).state;
    const { state: s, effects } = step(stopping, { type: 'exited', dockerId: 'd0', exitCode: 137, finishedAt: 1_795_390_939_774 });
    expect(effects).toEqual([{
      type: 'emit',
      change: { task: ARN, status: 'STOPPED', reason: '', executionStoppedAt: 1795390939.774, containers: [{ containerName: 'c0', runtimeId: 'd0', status: 'STOPPED', exitCode: 137 }] },
    }]);
    // The stop call's own result later changes nothing and reports nothing.
    const after = step(s, { type: 'stopped', container: 'c0', exitCode: 137, finishedAt: 1_795_390_939_800 });
    expect(after.effects).toEqual([]);
    expect(after.state.containers[0]!.inFlight).toBeUndefined();
  });

  it('a lower desired status is ignored', () => {
    const s = step(state([RUNNING_K], { sent: 'RUNNING' }), { type: 'desired', desired: 'STOPPED' }).state;
    expect(step(s, { type: 'desired', desired: 'RUNNING' }).state.desired).toBe('STOPPED');
  });

  it('a failed stop is not retried on every event', () => {
    const s = step(state([RUNNING_K, { status: 'CREATED', dockerId: 'd1' }], { sent: 'RUNNING' }), { type: 'desired', desired: 'STOPPED' }).state;
    const { state: after, effects } = step(s, { type: 'stopFailed', container: 'c0', reason: 'CannotStopContainerError: x' });
    expect(effects).toEqual([]);
    expect(after.containers[0]!.known.status).toBe('RUNNING');
  });
});

describe('nextStep: Docker results', () => {
  const cases: Array<[string, ContainerKnown, TaskEvent, ContainerKnown]> = [
    ['pulled', { status: 'NONE' }, { type: 'pulled', container: 'c0' }, { status: 'PULLED' }],
    ['pullFailed', { status: 'NONE' }, { type: 'pullFailed', container: 'c0', reason: 'CannotPullContainerError: no' }, { status: 'STOPPED', reason: 'CannotPullContainerError: no' }],
    ['created', { status: 'PULLED' }, { type: 'created', container: 'c0', dockerId: 'd0' }, { status: 'CREATED', dockerId: 'd0' }],
    ['createFailed', { status: 'PULLED' }, { type: 'createFailed', container: 'c0', reason: 'CannotCreateContainerError: no' }, { status: 'STOPPED', reason: 'CannotCreateContainerError: no' }],
    ['started', { status: 'CREATED', dockerId: 'd0' }, { type: 'started', container: 'c0', startedAt: 5, networkBindings: [] }, { status: 'RUNNING', dockerId: 'd0', startedAt: 5, networkBindings: [] }],
    ['startFailed', { status: 'CREATED', dockerId: 'd0' }, { type: 'startFailed', container: 'c0', reason: 'CannotStartContainerError: no' }, { status: 'STOPPED', dockerId: 'd0', reason: 'CannotStartContainerError: no' }],
    ['exited (die) while starting', { status: 'CREATED', dockerId: 'd0' }, { type: 'exited', dockerId: 'd0', exitCode: 3 }, { status: 'STOPPED', dockerId: 'd0', exitCode: 3 }],
    ['exited of another container', RUNNING_K, { type: 'exited', dockerId: 'other', exitCode: 3 }, RUNNING_K],
    ['started after it already died', { status: 'STOPPED', dockerId: 'd0', exitCode: 3 }, { type: 'started', container: 'c0', networkBindings: [] }, { status: 'STOPPED', dockerId: 'd0', exitCode: 3 }],
  ];
  it.each(cases)('%s', (_name, before, event, after) => {
    const s = state([before, { status: 'PULLED' }], { essential: [false, true] });
    s.containers[0]!.inFlight = 'pull';
    const next = step(s, event);
    expect(next.state.containers[0]!.known).toEqual(after);
  });

  it('records the pull window over all containers for the report', () => {
    let s = state([{ status: 'NONE' }, { status: 'NONE' }]);
    s = step(s, { type: 'pulled', container: 'c0', pull: { startedAt: 2_000, stoppedAt: 3_000 } }).state;
    s = step(s, { type: 'pulled', container: 'c1', pull: { startedAt: 1_000, stoppedAt: 2_500 } }).state;
    expect(s.pull).toEqual({ startedAt: 1_000, stoppedAt: 3_000 });
  });
});

describe('nextStep: essential containers', () => {
  it('an essential exit stops the task: other containers are stopped, then STOPPED is reported', () => {
    const s0 = state([RUNNING_K, { ...RUNNING_K, dockerId: 'd1' }], { sent: 'RUNNING' });
    const s1 = step(s0, { type: 'exited', dockerId: 'd0', exitCode: 3, finishedAt: 1_000 });
    expect(s1.state.desired).toBe('STOPPED');
    expect(s1.effects).toEqual([{ type: 'stop', container: 'c1', dockerId: 'd1', timeoutSec: 30 }]);
    const s2 = step(s1.state, { type: 'exited', dockerId: 'd1', exitCode: 137, finishedAt: 2_000 });
    expect(s2.effects).toEqual([{
      type: 'emit',
      change: {
        task: ARN, status: 'STOPPED', reason: '', executionStoppedAt: 2,
        containers: [{ containerName: 'c0', runtimeId: 'd0', status: 'STOPPED', exitCode: 3 }, { containerName: 'c1', runtimeId: 'd1', status: 'STOPPED', exitCode: 137 }],
      },
    }]);
    expect(taskKnownStatus(s2.state)).toBe('STOPPED');
  });

  it('a non-essential exit leaves the task running and reports the container once, with a repeated RUNNING', () => {
    const first = step(state([RUNNING_K, { ...RUNNING_K, dockerId: 'd1' }], { essential: [false, true] }), { type: 'desired', desired: 'RUNNING' });
    expect(first.effects.map((e) => e.type === 'emit' && e.change.status)).toEqual(['RUNNING']);
    const s1 = step(first.state, { type: 'exited', dockerId: 'd0', exitCode: 0 });
    expect(s1.state.desired).toBe('RUNNING');
    expect(s1.effects).toEqual([{
      type: 'emit',
      change: { task: ARN, status: 'RUNNING', reason: '', containers: [{ containerName: 'c0', runtimeId: 'd0', status: 'STOPPED', exitCode: 0 }, { containerName: 'c1', runtimeId: 'd1', status: 'RUNNING' }] },
    }]);
    expect(step(s1.state, { type: 'stopped', container: 'c0', exitCode: 0 }).effects).toEqual([]); // nothing new: not again
  });

  it('a RUNNING task restored from a checkpoint that predates container reports is not reported again', () => {
    const s0 = state([RUNNING_K, { ...RUNNING_K, dockerId: 'd1' }], { sent: 'RUNNING', essential: [false, true] });
    expect(step(s0, { type: 'desired', desired: 'RUNNING' }).effects).toEqual([]);
  });

  it('a pull failure of an essential container stops a task that never ran: STOPPED only, no runtimeId', () => {
    const s0 = step(state([{ status: 'NONE' }, { status: 'NONE' }]), { type: 'desired', desired: 'RUNNING' }).state;
    const s1 = step(s0, { type: 'pullFailed', container: 'c0', reason: 'CannotPullContainerError: x', pull: { startedAt: 1_000, stoppedAt: 1_500 } });
    // c1's pull is still in flight: wait for it before reporting.
    expect(s1.effects).toEqual([]);
    const s2 = step(s1.state, { type: 'pulled', container: 'c1' });
    expect(s2.effects).toEqual([{
      type: 'emit',
      change: {
        task: ARN, status: 'STOPPED', reason: '', pullStartedAt: 1, pullStoppedAt: 1.5,
        containers: [{ containerName: 'c0', status: 'STOPPED', reason: 'CannotPullContainerError: x' }, { containerName: 'c1', status: 'STOPPED' }],
      },
    }]);
  });
});

describe('create ordering for links and volumesFrom', () => {
  const linked = (k1: ContainerKnown, via: 'links' | 'volumesFrom'): TaskState => {
    const s = state([{ status: 'PULLED' }, k1], { essential: [true, false] }); // c1 stopping must not stop the task
    const app = s.definition.containers[0]!;
    s.definition = { ...s.definition, containers: [via === 'links' ? { ...app, links: ['c1:db'] } : { ...app, volumesFrom: [{ sourceContainer: 'c1' }] }, s.definition.containers[1]!] };
    return s;
  };
  const creates = (s: TaskState) => step(s, { type: 'desired', desired: 'RUNNING' }).effects.filter((e) => e.type === 'create' && e.container === 'c0');

  it('a container waits to be created until the container it links to is RUNNING', () => {
    expect(creates(linked({ status: 'CREATED', dockerId: 'd1' }, 'links'))).toEqual([]);
    expect(creates(linked({ status: 'RUNNING', dockerId: 'd1', networkBindings: [] }, 'links'))).toHaveLength(1);
    expect(creates(linked({ status: 'STOPPED' }, 'links'))).toHaveLength(1); // no longer blocks; Docker decides
  });

  it('volumesFrom waits only for the source container to exist', () => {
    expect(creates(linked({ status: 'PULLED' }, 'volumesFrom'))).toEqual([]);
    expect(creates(linked({ status: 'CREATED', dockerId: 'd1' }, 'volumesFrom'))).toHaveLength(1);
  });
});
