// Image cleanup end to end, as the real agent's image manager: `dockhand local` on real Docker pulls
// images from a REAL registry, tracks them durably, and deletes the unused ones. Cleanup runs every
// second here (DOCKHAND_IMAGE_CLEANUP_INTERVAL: the real ECS_IMAGE_CLEANUP_INTERVAL has a 10m floor).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, removeTaskContainers, sleep, TEST_IMAGE } from '../e2e/local-harness.ts';
import { imageExists, pushImage, removeRegistryImages, RUN_LABEL, startRegistry, TEST_LABEL, type TestRegistry } from './registry-fixture.ts';
import { isStopped, logLines, startImagesLocal, type ImagesLocal } from './images-harness.ts';
import { loadAncientImage } from './ancient-image.ts';

let registry: TestRegistry;
const locals: ImagesLocal[] = [];
const ANCIENT = ['small', 'mid', 'keep'].map((n) => `dockhand-test/ancient-${n}-${process.pid}:latest`);

const FAST_CLEANUP = { DOCKHAND_IMAGE_CLEANUP_INTERVAL: '1s', ECS_IMAGE_MINIMUM_CLEANUP_AGE: '1ms' };

beforeAll(async () => { registry = await startRegistry(); }, 60_000);

afterAll(async () => {
  for (const l of locals.splice(0)) await l.stop({ removeData: true });
  const mine = await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=${RUN_LABEL}`] } });
  for (const c of mine) await docker.getContainer(c.Id).remove({ force: true });
  for (const name of ANCIENT) await docker.getImage(name).remove().catch(() => undefined);
  await removeRegistryImages([registry.host]);
  await registry?.stop();
});

async function local(env: Record<string, string>, dataDir?: string): Promise<ImagesLocal> {
  const l = await startImagesLocal({ ECS_IMAGE_PULL_BEHAVIOR: 'default', ...env }, dataDir);
  locals.push(l);
  return l;
}

/** Runs a task whose container exits at once and waits for STOPPED: the container stays. */
async function runOnce(l: ImagesLocal, family: string, image: string): Promise<string> {
  const task = await l.runTask(family, [{ name: 'app', image, command: ['true'], memory: 32, essential: true }]);
  await l.waitForTask(task.taskArn!, isStopped);
  return task.taskArn!;
}

async function waitGone(ref: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (await imageExists(ref)) {
    if (Date.now() > end) throw new Error(`${ref} was not cleaned up within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Log lines land a moment after Docker acted: waits until `msg` was logged `count` times. */
async function logged(l: ImagesLocal, msg: string, count: number): Promise<Array<Record<string, unknown>>> {
  const end = Date.now() + 10_000;
  for (;;) {
    const lines = logLines(l.log(), msg);
    if (lines.length >= count || Date.now() > end) return lines;
    await sleep(100);
  }
}

const cycles = (l: ImagesLocal): Array<Record<string, unknown>> => logLines(l.log(), 'image cleanup cycle done');

describe('image cleanup', () => {
  it('deletes an image the agent pulled only once no container uses it; never an image it did not pull', async () => {
    const ref = await pushImage(registry.host, 'dockhand-test/used', { payloadBytes: 16 * 1024 });
    const l = await local(FAST_CLEANUP);
    const pulledTask = await runOnce(l, 'cleanup-used', ref);
    const cachedTask = await runOnce(l, 'cleanup-untracked', TEST_IMAGE); // the pull fails; the cache serves

    // Both tasks are STOPPED, their containers still exist: several cycles pass, nothing is deleted.
    const before = cycles(l).length;
    while (cycles(l).length < before + 3) await sleep(200);
    expect(await imageExists(ref)).toBe(true);

    await removeTaskContainers([pulledTask, cachedTask]);
    await waitGone(ref);
    expect((await logged(l, 'image removed', 1)).map((e) => e.names)).toEqual([[ref]]);
    const after = cycles(l).length;
    while (cycles(l).length < after + 2) await sleep(200);
    expect(await imageExists(TEST_IMAGE)).toBe(true);
    await l.stop({ removeData: true });
  });

  it('least recently used first, ECS_NUM_IMAGES_DELETE_PER_CYCLE per cycle, ECS_EXCLUDE_UNTRACKED_IMAGE kept; tracking survives a restart', async () => {
    const [c, b, d] = await Promise.all(['c', 'b', 'd'].map((n) => pushImage(registry.host, `dockhand-test/lru-${n}`, { payloadBytes: 16 * 1024 })));
    // Phase 1, cleanup off (ECS_DISABLE_IMAGE_CLEANUP): pull c, b, d, then use c again.
    const first = await local({ ...FAST_CLEANUP, ECS_DISABLE_IMAGE_CLEANUP: 'true' });
    const tasks = [];
    for (const [family, ref] of [['lru-c', c], ['lru-b', b], ['lru-d', d], ['lru-c-again', c]] as const) tasks.push(await runOnce(first, family, ref!));
    await removeTaskContainers(tasks);
    await sleep(2500);
    expect(logLines(first.log(), 'image cleanup disabled')).toEqual([expect.objectContaining({ reason: 'ECS_DISABLE_IMAGE_CLEANUP' })]);
    for (const ref of [b, c, d]) expect(await imageExists(ref!)).toBe(true);
    await first.stop();

    // Phase 2, the same agent state with cleanup on: b (least recently used) goes first, one per cycle.
    const second = await local({ ...FAST_CLEANUP, ECS_NUM_IMAGES_DELETE_PER_CYCLE: '1', ECS_EXCLUDE_UNTRACKED_IMAGE: `${d}, unrelated:latest` }, first.dataDir);
    await waitGone(b!);
    await waitGone(c!);
    expect((await logged(second, 'image removed', 2)).map((e) => e.names)).toEqual([[b], [c]]);
    expect(cycles(second).every((e) => (e.removed as number) <= 1)).toBe(true);
    const done = cycles(second).length;
    while (cycles(second).length < done + 2) await sleep(200);
    expect(await imageExists(d!)).toBe(true); // excluded
    await second.stop({ removeData: true });
  });

  it('ECS_IMAGE_PULL_BEHAVIOR=prefer-cached turns cleanup off, as in the real agent', async () => {
    const l = await local({ ...FAST_CLEANUP, ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached' });
    expect(logLines(l.log(), 'image cleanup disabled')).toEqual([expect.objectContaining({ reason: 'ECS_IMAGE_PULL_BEHAVIOR=prefer-cached' })]);
    await l.stop({ removeData: true });
  });

  it('ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP: old enough untracked images are deleted; excluded ones and ones a container uses stay', async () => {
    const [small, mid, keep] = ANCIENT as [string, string, string];
    await loadAncientImage(small, 1024);
    await loadAncientImage(mid, 64 * 1024);
    await loadAncientImage(keep, 1024);
    // A container (never started) that uses `mid` keeps it until the container is gone.
    const user = await docker.createContainer({ Image: mid, Labels: { [TEST_LABEL]: RUN_LABEL } });
    const l = await local({
      ...FAST_CLEANUP, ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP: 'true', ECS_NUM_IMAGES_DELETE_PER_CYCLE: '1', ECS_EXCLUDE_UNTRACKED_IMAGE: keep,
      // Only images built over ten years ago qualify: on a shared Docker host, these test images alone.
      NON_ECS_IMAGE_MINIMUM_CLEANUP_AGE: '87600h',
    });
    await waitGone(small);
    const done = cycles(l).length;
    while (cycles(l).length < done + 2) await sleep(200);
    expect(await imageExists(mid)).toBe(true);
    await user.remove();
    await waitGone(mid);
    expect((await logged(l, 'untracked image removed', 2)).map((e) => e.ref)).toEqual([expect.any(String), expect.any(String)]);
    expect(await imageExists(keep)).toBe(true);
    expect(await imageExists(TEST_IMAGE)).toBe(true);
    await l.stop({ removeData: true });
  });
});
