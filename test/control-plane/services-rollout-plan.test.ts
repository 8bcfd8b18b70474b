// The rollout planner alone (pure): how many tasks to start and which to stop in one pass, for the
// cases the scheduler tests drive end to end plus the corners that are awkward to reach there.
import { describe, expect, it } from 'vitest';
import { planRollout, type PlannedTask, type RolloutInput } from '../../src/control-plane/services/rollout-plan.ts';

let n = 0;
const task = (o: Partial<PlannedTask> = {}): PlannedTask => ({ arn: `t${++n}`, current: true, running: true, draining: false, unhealthy: false, stopping: false, ...o });
const input = (o: Partial<RolloutInput>): RolloutInput => ({ desired: 2, minimumHealthyPercent: 100, maximumPercent: 200, canLaunch: true, replaceOthers: true, tasks: [], ...o });

describe('planRollout', () => {
  it('starts what is missing, up to maximumPercent', () => {
    expect(planRollout(input({ desired: 3 }))).toMatchObject({ start: 3, stop: [], steady: false });
    expect(planRollout(input({ desired: 4, maximumPercent: 150, tasks: [task({ current: false }), task({ current: false }), task({ current: false }), task({ current: false })] })))
      .toMatchObject({ start: 2, stop: [] });
  });

  it('is steady with exactly the desired current tasks, all RUNNING', () => {
    expect(planRollout(input({ tasks: [task(), task()] }))).toEqual({ start: 0, stop: [], blockedByConfig: false, steady: true });
    expect(planRollout(input({ tasks: [task(), task({ running: false })] })).steady).toBe(false);
    expect(planRollout(input({ tasks: [task(), task(), task({ stopping: true })] })).steady).toBe(false);
  });

  it('stops old tasks only while minimumHealthyPercent stays RUNNING', () => {
    const old = [task({ current: false }), task({ current: false })];
    // New ones still PENDING: nothing old may stop at 100%.
    expect(planRollout(input({ tasks: [...old, task({ running: false }), task({ running: false })] })).stop).toEqual([]);
    // New ones RUNNING: both old ones go.
    expect(planRollout(input({ tasks: [...old, task(), task()] })).stop.map((s) => s.why)).toEqual(['replaced', 'replaced']);
    // 50% / 100%: one old may stop before anything new starts, and nothing starts while at the maximum.
    const half = planRollout(input({ minimumHealthyPercent: 50, maximumPercent: 100, tasks: old }));
    expect(half).toMatchObject({ start: 0, stop: [{ arn: old[0]!.arn, why: 'replaced' }] });
  });

  it('counts tasks still stopping toward the maximum', () => {
    const plan = planRollout(input({ maximumPercent: 100, tasks: [task({ current: false, stopping: true }), task({ current: false })] }));
    expect(plan.start).toBe(0);
  });

  it('stops PENDING surplus freely and RUNNING surplus within the minimum on a scale-down', () => {
    const plan = planRollout(input({ desired: 1, tasks: [task(), task({ running: false }), task()] }));
    expect(plan.stop).toHaveLength(2);
    expect(plan.stop.every((s) => s.why === 'excess')).toBe(true);
    expect(plan.start).toBe(0);
  });

  it('replaces tasks on DRAINING instances before stopping them', () => {
    const draining = [task({ draining: true }), task({ draining: true })];
    expect(planRollout(input({ tasks: draining }))).toMatchObject({ start: 2, stop: [] });
    const replaced = planRollout(input({ tasks: [...draining, task(), task()] }));
    expect(replaced.stop.map((s) => s.why)).toEqual(['draining', 'draining']);
  });

  it('stops unhealthy tasks at once and starts their replacements', () => {
    const plan = planRollout(input({ tasks: [task({ unhealthy: true }), task()] }));
    expect(plan.stop).toEqual([{ arn: expect.any(String), why: 'unhealthy' }]);
    expect(plan.start).toBe(1);
  });

  it('keeps old tasks and launches nothing for a FAILED deployment without rollback', () => {
    const plan = planRollout(input({ canLaunch: false, replaceOthers: false, tasks: [task({ current: false }), task({ current: false })] }));
    expect(plan).toMatchObject({ start: 0, stop: [], blockedByConfig: false, steady: false });
  });

  it('says when minimumHealthyPercent and maximumPercent leave no move at all', () => {
    const plan = planRollout(input({ minimumHealthyPercent: 100, maximumPercent: 100, tasks: [task({ current: false }), task({ current: false })] }));
    expect(plan).toMatchObject({ start: 0, stop: [], blockedByConfig: true });
  });

  it('stops everything for desired 0 (a deleted service)', () => {
    const plan = planRollout(input({ desired: 0, tasks: [task(), task({ current: false }), task({ running: false })] }));
    expect(plan.stop).toHaveLength(3);
    expect(plan.start).toBe(0);
  });
});
