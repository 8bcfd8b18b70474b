// ECS_IMAGE_PULL_BEHAVIOR end to end, with the real agent's semantics: `dockhand local` on real
// Docker, a REAL registry on loopback, and a "dead" registry (a loopback port nobody listens on)
// for images that exist only in the local cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, freePort, TEST_IMAGE } from '../e2e/local-harness.ts';
import { imageExists, pushImage, removeRegistryImages, startRegistry, type TestRegistry } from './registry-fixture.ts';
import { isRunning, isStopped, logLines, startImagesLocal, type ImagesLocal } from './images-harness.ts';

let registry: TestRegistry;
let deadHost: string;
let cachedRef: string;
const locals: ImagesLocal[] = [];

beforeAll(async () => {
  registry = await startRegistry();
  deadHost = `127.0.0.1:${await freePort()}`;
  // In the local cache only: any pull of it fails (connection refused).
  cachedRef = `${deadHost}/dockhand-test/cached:latest`;
  await docker.getImage(TEST_IMAGE).tag({ repo: `${deadHost}/dockhand-test/cached`, tag: 'latest' });
}, 60_000);

afterAll(async () => {
  for (const l of locals.splice(0)) await l.stop({ removeData: true });
  await removeRegistryImages([registry.host, deadHost]);
  await registry?.stop();
});

async function local(behavior: string, dataDir?: string): Promise<ImagesLocal> {
  const l = await startImagesLocal({ ECS_IMAGE_PULL_BEHAVIOR: behavior }, dataDir);
  locals.push(l);
  return l;
}

const sleeper = (image: string) => [{ name: 'app', image, command: ['sleep', '3600'], memory: 32, essential: true }];

describe('ECS_IMAGE_PULL_BEHAVIOR', () => {
  it('default: the pull is attempted; when it fails, the cached image runs the task', async () => {
    const l = await local('default');
    const task = await l.runTask('behavior-default', sleeper(cachedRef));
    const running = await l.waitForTask(task.taskArn!, isRunning);
    expect(running.pullStartedAt).toBeInstanceOf(Date); // a pull was attempted
    expect(logLines(l.log(), 'image pull failed; using the cached image').some((e) => e.image === cachedRef)).toBe(true);
    await l.stop({ removeData: true });
  });

  it('always: a failed pull stops the task even though the image is cached', async () => {
    const l = await local('always');
    const task = await l.runTask('behavior-always', sleeper(cachedRef));
    const stopped = await l.waitForTask(task.taskArn!, isStopped);
    expect(stopped.containers?.[0]?.reason).toMatch(/^CannotPullContainerError: .*127\.0\.0\.1/);
    expect(stopped.stoppedReason).toMatch(/^CannotPullContainerError/);
    expect(await imageExists(cachedRef)).toBe(true);
    await l.stop({ removeData: true });
  });

  it('prefer-cached: a cached image is used without a pull; a missing one is pulled', async () => {
    const l = await local('prefer-cached');
    const cached = await l.runTask('behavior-cached', sleeper(cachedRef));
    const running = await l.waitForTask(cached.taskArn!, isRunning);
    expect(running.pullStartedAt).toBeUndefined(); // no pull at all
    expect(running.pullStoppedAt).toBeUndefined();

    const ref = await pushImage(registry.host, 'dockhand-test/prefer', { payloadBytes: 64 * 1024 });
    const missing = await l.runTask('behavior-missing', sleeper(ref));
    const pulled = await l.waitForTask(missing.taskArn!, isRunning);
    expect(pulled.pullStartedAt).toBeInstanceOf(Date);
    expect(await imageExists(ref)).toBe(true);
    await l.stop({ removeData: true });
  });

  it('once: pulled the first time only, remembered across an agent restart (the registry is gone by then)', async () => {
    const own = await startRegistry();
    try {
      const ref = await pushImage(own.host, 'dockhand-test/once', { payloadBytes: 64 * 1024 });
      const first = await local('once');
      const t1 = await first.runTask('behavior-once-1', sleeper(ref));
      const r1 = await first.waitForTask(t1.taskArn!, isRunning);
      expect(r1.pullStartedAt).toBeInstanceOf(Date);
      await first.stop(); // keeps the data directory: the agent's state survives
      await own.stop(); // any pull from now on fails

      const again = await local('once', first.dataDir);
      const t2 = await again.runTask('behavior-once-2', sleeper(ref));
      const r2 = await again.waitForTask(t2.taskArn!, isRunning);
      expect(r2.pullStartedAt).toBeUndefined(); // not pulled again
      expect(logLines(again.log(), 'image pulled before (ECS_IMAGE_PULL_BEHAVIOR=once); using it').some((e) => e.image === ref)).toBe(true);

      // Removed behind the agent's back, the image is pulled again, which now fails: `once` stops the task.
      await again.stop();
      await removeRegistryImages([own.host]);
      const third = await local('once', first.dataDir);
      const t3 = await third.runTask('behavior-once-3', sleeper(ref));
      const s3 = await third.waitForTask(t3.taskArn!, isStopped);
      expect(s3.containers?.[0]?.reason).toMatch(/^CannotPullContainerError/);
      await third.stop({ removeData: true });
    } finally {
      await removeRegistryImages([own.host]);
      await own.stop();
    }
  });
});
