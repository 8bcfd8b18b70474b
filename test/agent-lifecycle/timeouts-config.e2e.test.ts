// ECS_CONTAINER_CREATE_TIMEOUT and ECS_CONTAINER_START_TIMEOUT reach the Docker calls of the real
// agent: with 1 ms both calls time out on every container (Docker takes far longer), Docker still
// does the work, and the agent adopts what it made — one container each, the task RUNNING.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { containersOfTask, startLocalHarness, TEST_IMAGE, type LocalHarness } from '../e2e/local-harness.ts';

let h: LocalHarness;
beforeAll(async () => { h = await startLocalHarness({ ECS_CONTAINER_CREATE_TIMEOUT: '1ms', ECS_CONTAINER_START_TIMEOUT: '1ms' }); });
afterAll(async () => { await h?.stop(); });

describe('Docker call timeouts from the agent configuration', () => {
  it('every create and start times out, and the task still runs with exactly one container per definition', async () => {
    const sleeper = { image: TEST_IMAGE, memory: 32, command: ['sleep', '3600'], stopTimeout: 1 };
    const { taskArn } = await h.runTask('timeouts-config', [{ name: 'a', ...sleeper }, { name: 'b', ...sleeper }]);
    const { task } = await h.waitForTask(taskArn!, (t) => t.lastStatus === 'RUNNING' || t.lastStatus === 'STOPPED', 30_000);
    expect(task.lastStatus).toBe('RUNNING');
    const docker = await containersOfTask(taskArn!);
    expect(docker.map((c) => c.State)).toEqual(['running', 'running']);
    expect(new Set(docker.map((c) => c.Id))).toEqual(new Set(task.containers!.map((c) => c.runtimeId)));
    const log = readFileSync(h.logFile, 'utf8').split('\n').filter((l) => l.includes(taskArn!));
    expect(log.filter((l) => l.includes('"msg":"container create timed out"'))).toHaveLength(2);
    expect(log.filter((l) => l.includes('the timed-out create did happen; adopting the container'))).toHaveLength(2);
    expect(log.filter((l) => l.includes('container start timed out, but the container did start'))).toHaveLength(2);
  });
});
