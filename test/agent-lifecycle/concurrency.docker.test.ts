// Many tasks at once on the REAL Docker engine: their starts overlap instead of queueing, and a
// task that takes long to stop (a 60 s stopTimeout on a container that ignores SIGTERM) holds up
// neither new tasks nor other tasks' stops (real agent #1667 / #2255).
import { describe, expect, it } from 'vitest';
import { container, stopped, task, useTestEngine } from '../agent-engine/engine-harness.ts';
import { docker as rawDocker } from '../e2e/local-harness.ts';

const { docker, recorder, engine } = useTestEngine('prefer-cached');
const polite = { command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'], stopTimeout: 10 };

describe('many tasks at once', () => {
  it('ten tasks applied together start concurrently', async () => {
    const alone = task('many-alone', [container('a', polite), container('b', polite)]);
    let t0 = performance.now();
    engine.applyTask(alone);
    const aloneMs = (await recorder.next(alone.arn, 'RUNNING')).at - t0;

    const tasks = Array.from({ length: 10 }, (_, i) => task(`many-${i}`, [container('a', polite), container('b', polite)]));
    t0 = performance.now();
    for (const t of tasks) engine.applyTask(t);
    const running = await Promise.all(tasks.map((t) => recorder.next(t.arn, 'RUNNING', 60_000)));
    const allMs = Math.max(...running.map((r) => r.at)) - t0;
    // Wall-clock time is no evidence here: on 2 cores dockerd itself serialises much of container
    // start (~250 ms of CPU each), so 20 containers take seconds however they are asked for.
    console.log(`[timing] 1 task: ${aloneMs.toFixed(0)} ms; 10 tasks together: ${allMs.toFixed(0)} ms`);

    // Docker's own record: create→start windows of different tasks overlap, i.e. the agent had
    // calls for several tasks in Docker at the same time.
    const windows = await Promise.all(running.map(async (r) => {
      const info = await rawDocker.getContainer(r.containers[0]!.runtimeId!).inspect();
      return { created: Date.parse(info.Created), started: Date.parse(info.State.StartedAt) };
    }));
    const overlapping = windows.filter((w, i) => windows.some((o, j) => j !== i && o.created < w.started && w.created < o.started));
    // One task at a time, no two windows would overlap.
    console.log(`[concurrency] ${overlapping.length} of 10 tasks' create→start windows overlap another task's`);
    expect(overlapping.length).toBeGreaterThanOrEqual(5);
    for (const t of [alone, ...tasks]) engine.applyTask(stopped(t));
    await Promise.all([alone, ...tasks].map((t) => recorder.next(t.arn, 'STOPPED', 30_000)));
  }, 120_000);

  it('a task stopping for a long time blocks neither new tasks nor other stops', async () => {
    // busybox sleep as PID 1 ignores SIGTERM: this stop takes the full 60 s unless the container dies.
    const stubborn = task('long-stop', [container('stubborn', { stopTimeout: 60 })]);
    const other = task('other', [container('x', polite)]);
    engine.applyTask(stubborn);
    engine.applyTask(other);
    const stubbornRunning = await recorder.next(stubborn.arn, 'RUNNING');
    await recorder.next(other.arn, 'RUNNING');

    engine.applyTask(stopped(stubborn));
    await new Promise((r) => setTimeout(r, 200)); // its stop call is under way
    const t0 = performance.now();
    const fresh = task('fresh', [container('y', polite), container('z', polite)]);
    engine.applyTask(fresh);
    engine.applyTask(stopped(other));
    const freshRunning = await recorder.next(fresh.arn, 'RUNNING');
    const otherStopped = await recorder.next(other.arn, 'STOPPED');
    expect(freshRunning.at - t0).toBeLessThan(3_000);
    expect(otherStopped.at - t0).toBeLessThan(3_000);
    expect(recorder.of(stubborn.arn).map((c) => c.status)).toEqual(['RUNNING']); // still stopping

    // It ends when its container dies (here: killed from outside), not when the stop call returns.
    const id = stubbornRunning.containers[0]!.runtimeId!;
    const t1 = performance.now();
    await rawDocker.getContainer(id).kill();
    const stubbornStopped = await recorder.next(stubborn.arn, 'STOPPED', 5_000);
    expect(stubbornStopped.at - t1).toBeLessThan(2_000);
    expect(stubbornStopped.containers[0]).toMatchObject({ status: 'STOPPED', exitCode: 137 });
    expect((await docker.inspectContainer(id)).running).toBe(false);
    engine.applyTask(stopped(fresh));
    await recorder.next(fresh.arn, 'STOPPED');
  });
});
