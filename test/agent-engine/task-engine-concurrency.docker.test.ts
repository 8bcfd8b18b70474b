// Real Docker: tasks do not wait on each other, containers of a task start together, stopped
// tasks can be cleaned up, and prefer-cached skips the pull.
import { describe, expect, it } from 'vitest';
import { container, stopped, task, useTestEngine } from './engine-harness.ts';

const { docker, recorder, engine } = useTestEngine('prefer-cached');

describe('TaskEngine concurrency and cleanup on real Docker', () => {
  it('a slow stop of one task does not hold up another task', async () => {
    const slow = task('engine-slow', [container('stubborn', { stopTimeout: 3 })]);
    engine.applyTask(slow);
    const slowRunning = await recorder.next(slow.arn, 'RUNNING');
    // prefer-cached with the image present: no pull, so no pull timestamps.
    expect(slowRunning.pullStartedAt).toBeUndefined();

    engine.applyTask(stopped(slow)); // SIGKILL only after 3 s
    const t0 = performance.now();
    const fast = task('engine-fast', [container('a'), container('b'), container('c')]);
    engine.applyTask(fast);
    const fastRunning = await recorder.next(fast.arn, 'RUNNING');
    const slowStopped = await recorder.next(slow.arn, 'STOPPED');

    expect(fastRunning.at).toBeLessThan(slowStopped.at);
    expect(fastRunning.at - t0).toBeLessThan(2_500);
    expect(fastRunning.containers.map((c) => c.status)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
    expect(new Set(fastRunning.containers.map((c) => c.runtimeId)).size).toBe(3);
    console.log(`[timing] 3-container task RUNNING ${(fastRunning.at - t0).toFixed(0)} ms after apply, while another task was stopping`);
  });

  it('cleanUpTask removes a stopped task containers and forgets it; a running task is refused', async () => {
    const t = task('engine-cleanup', [container('x', { command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'] })]);
    engine.applyTask(t);
    const running = await recorder.next(t.arn, 'RUNNING');
    await expect(engine.cleanUpTask(t.arn)).rejects.toThrow(/not stopped/);

    engine.stopTask(t.arn); // as ACS's TaskStopVerificationAck would
    await recorder.next(t.arn, 'STOPPED');
    const id = running.containers[0]!.runtimeId!;
    expect((await docker.inspectContainer(id)).running).toBe(false); // kept after the stop
    await engine.cleanUpTask(t.arn);

    await expect(docker.inspectContainer(id)).rejects.toThrow(/No such container/);
    expect(engine.knownTasks().some((k) => k.taskArn === t.arn)).toBe(false);
  });
});
