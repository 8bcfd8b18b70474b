// ECS_IMAGE_PULL_TIMEOUT and ECS_IMAGE_PULL_INACTIVITY_TIMEOUT, enforced end to end: real Docker
// pulls from a REAL registry through a proxy that stalls (or trickles) layer downloads.
// The inactivity timeout's 1m minimum (the real agent's) is bypassed with the Dockhand-only test
// setting DOCKHAND_IMAGE_PULL_INACTIVITY_TIMEOUT.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { imageExists, pushImage, removeRegistryImages, startRegistry, type TestRegistry } from './registry-fixture.ts';
import { startStallingProxy, type StallingProxy } from './stalling-proxy.ts';
import { isRunning, isStopped, logLines, startImagesLocal, type ImagesLocal } from './images-harness.ts';

let registry: TestRegistry;
const proxies: StallingProxy[] = [];
let local: ImagesLocal | undefined;

beforeAll(async () => {
  registry = await startRegistry();
  await pushImage(registry.host, 'dockhand-test/slow', { payloadBytes: 2 * 1024 * 1024 });
}, 60_000);

afterEach(async () => {
  await local?.stop({ removeData: true });
  local = undefined;
});

afterAll(async () => {
  for (const p of proxies) await p.close();
  await removeRegistryImages([registry.host, ...proxies.map((p) => p.host)]);
  await registry?.stop();
});

async function proxied(mode: Parameters<typeof startStallingProxy>[1]): Promise<string> {
  const p = await startStallingProxy(registry.host, mode);
  proxies.push(p);
  return `${p.host}/dockhand-test/slow:latest`;
}

const sleeper = (image: string) => [{ name: 'app', image, command: ['sleep', '3600'], memory: 32, essential: true }];
const pullSeconds = (t: { pullStartedAt?: Date; pullStoppedAt?: Date }): number => (t.pullStoppedAt!.getTime() - t.pullStartedAt!.getTime()) / 1000;

describe('pull timeouts', () => {
  it('ECS_IMAGE_PULL_TIMEOUT: a pull still running after it fails the task', async () => {
    const ref = await proxied({ kind: 'stall', afterBytes: 64 * 1024 });
    local = await startImagesLocal({ ECS_IMAGE_PULL_BEHAVIOR: 'always', ECS_IMAGE_PULL_TIMEOUT: '3s' });
    const task = await local.runTask('timeout-total', sleeper(ref));
    const stopped = await local.waitForTask(task.taskArn!, isStopped);
    expect(stopped.containers?.[0]?.reason).toBe(`CannotPullContainerError: pull of ${ref} timed out after 3s`);
    expect(pullSeconds(stopped)).toBeGreaterThanOrEqual(2.5); // epoch-second precision on the wire
    expect(pullSeconds(stopped)).toBeLessThan(10);
    expect(await imageExists(ref)).toBe(false);
  });

  it('ECS_IMAGE_PULL_INACTIVITY_TIMEOUT: no progress for that long cancels the pull', async () => {
    const ref = await proxied({ kind: 'stall', afterBytes: 64 * 1024 });
    local = await startImagesLocal({ ECS_IMAGE_PULL_BEHAVIOR: 'always', DOCKHAND_IMAGE_PULL_INACTIVITY_TIMEOUT: '2s' });
    const task = await local.runTask('timeout-inactive', sleeper(ref));
    const stopped = await local.waitForTask(task.taskArn!, isStopped);
    expect(stopped.containers?.[0]?.reason).toBe(`CannotPullContainerError: inactivity time exceeded timeout while pulling image ${ref} (no progress for 2s)`);
    expect(pullSeconds(stopped)).toBeGreaterThanOrEqual(1);
    expect(pullSeconds(stopped)).toBeLessThan(10);
  });

  it('a slow pull that keeps making progress is not cut by the inactivity timeout', async () => {
    // ~2 MiB at 256 KiB per 700 ms: about 6 s in all, never 2 s without progress.
    const ref = await proxied({ kind: 'trickle', chunkBytes: 256 * 1024, everyMs: 700 });
    local = await startImagesLocal({ ECS_IMAGE_PULL_BEHAVIOR: 'always', DOCKHAND_IMAGE_PULL_INACTIVITY_TIMEOUT: '2s' });
    const task = await local.runTask('timeout-trickle', sleeper(ref));
    const running = await local.waitForTask(task.taskArn!, isRunning, 60_000);
    expect(pullSeconds(running)).toBeGreaterThanOrEqual(4);
    expect(await imageExists(ref)).toBe(true);
    expect(logLines(local.log(), 'image pulled').some((e) => e.image === ref)).toBe(true);
  });

  it('the real agent bounds apply: ECS_IMAGE_PULL_INACTIVITY_TIMEOUT under 1m becomes 1m, with a warning', async () => {
    local = await startImagesLocal({ ECS_IMAGE_PULL_INACTIVITY_TIMEOUT: '5s' });
    expect(logLines(local.log(), 'ECS_IMAGE_PULL_INACTIVITY_TIMEOUT is under the 1m minimum; using 1m')).toHaveLength(1);
  });
});
