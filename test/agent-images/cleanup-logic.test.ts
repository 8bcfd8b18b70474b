// Which images a cleanup cycle picks, isolated over an in-memory image store with Docker's rules
// (image-cleanup.test.ts runs the same cycle against real Docker and a real registry).
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { ImageCleaner, type ImageCleanerOptions } from '../../src/agent/images/image-cleaner.ts';
import { ImageTracker, memoryImageRecords } from '../../src/agent/images/image-tracker.ts';
import { PullDeleteLock } from '../../src/agent/images/pull-delete-lock.ts';
import { removeUntrackedImages } from '../../src/agent/images/untracked-images.ts';
import { memoryDocker, type MemoryDocker } from './memory-images.ts';

const silent = pino({ level: 'silent' });
const HOUR = 3_600_000;

/** Tracks `names` (one image each, pulled at `pulledAt`, last used at `usedAt`). */
async function setup(images: Array<{ id: string; name: string; pulledAt: number; usedAt?: number }>) {
  const docker = memoryDocker();
  let now = 0;
  const tracker = new ImageTracker({ docker, records: memoryImageRecords(), logger: silent, now: () => now });
  for (const i of images) {
    docker.add({ id: i.id, repoTags: [i.name] });
    now = i.pulledAt;
    await tracker.recordPull(i.name);
    if (i.usedAt !== undefined) { now = i.usedAt; await tracker.recordUse(i.name); }
  }
  return { docker, tracker };
}

function cleaner(docker: MemoryDocker, tracker: ImageTracker, over: Partial<ImageCleanerOptions> = {}): ImageCleaner {
  return new ImageCleaner({
    docker, tracker, lock: new PullDeleteLock(), logger: silent, intervalMs: 1000, minimumAgeMs: HOUR, perCycle: 5,
    exclude: [], pendingImages: () => [], now: () => 10 * HOUR, ...over,
  });
}

describe('tracked image cleanup', () => {
  it('least recently used first, at most perCycle, only older than the minimum age', async () => {
    const { docker, tracker } = await setup([
      { id: 'a', name: 'r/a:1', pulledAt: 1 * HOUR, usedAt: 8 * HOUR },
      { id: 'b', name: 'r/b:1', pulledAt: 2 * HOUR },
      { id: 'c', name: 'r/c:1', pulledAt: 3 * HOUR, usedAt: 5 * HOUR },
      { id: 'young', name: 'r/young:1', pulledAt: 9.5 * HOUR },
    ]);
    const c = cleaner(docker, tracker, { perCycle: 2 });
    expect((await c.runOnce()).removed).toEqual(['b', 'c']);
    expect((await c.runOnce()).removed).toEqual(['a']);
    expect((await c.runOnce()).removed).toEqual([]);
    expect([...docker.images.keys()]).toEqual(['young']);
    expect(tracker.all().map((i) => i.imageId)).toEqual(['young']);
  });

  it('never an image a container uses, one a pending task container needs, or an excluded name', async () => {
    const { docker, tracker } = await setup([
      { id: 'used', name: 'r/used:1', pulledAt: 0 },
      { id: 'pending', name: 'r/pending:1', pulledAt: 0 },
      { id: 'excluded', name: 'r/excluded:1', pulledAt: 0 },
      { id: 'free', name: 'r/free:1', pulledAt: 0 },
    ]);
    docker.containers.add('used');
    const c = cleaner(docker, tracker, { pendingImages: () => ['r/pending:1'], exclude: ['r/excluded:1'] });
    expect((await c.runOnce()).removed).toEqual(['free']);
    expect(docker.removed).toEqual(['r/free:1']);
  });

  it('a name re-tagged to another image is not ours to untag; the untagged old image goes by id', async () => {
    const { docker, tracker } = await setup([{ id: 'old', name: 'r/a:1', pulledAt: 0 }]);
    docker.add({ id: 'old', repoTags: ['r/a:1'] });
    docker.add({ id: 'other', repoTags: ['r/a:1'] }); // someone re-tagged r/a:1 outside the agent
    const c = cleaner(docker, tracker);
    expect((await c.runOnce()).removed).toEqual(['old']);
    expect(docker.removed).toEqual(['old']);
    expect(docker.images.has('other')).toBe(true);
  });

  it('an image Docker refuses to delete keeps its record and is tried again next cycle', async () => {
    const { docker, tracker } = await setup([{ id: 'a', name: 'r/a:1', pulledAt: 0 }]);
    const realRemove = docker.removeImage.bind(docker);
    let refuse = true;
    docker.removeImage = async (ref) => { if (refuse) throw new Error('conflict'); return realRemove(ref); };
    const c = cleaner(docker, tracker);
    expect((await c.runOnce()).removed).toEqual([]);
    expect(tracker.pulledBefore('r/a:1')).toBe(true);
    refuse = false;
    expect((await c.runOnce()).removed).toEqual(['a']);
  });

  it('an extra name tagged outside the agent keeps the image (untracked from then on)', async () => {
    const { docker, tracker } = await setup([{ id: 'a', name: 'r/a:1', pulledAt: 0 }]);
    docker.images.get('a')!.repoTags.push('mine/a:keep');
    expect((await cleaner(docker, tracker).runOnce()).removed).toEqual([]);
    expect(docker.images.get('a')!.repoTags).toEqual(['mine/a:keep']);
    expect(tracker.all()).toEqual([]);
  });
});

describe('untracked image cleanup', () => {
  it('smallest first within the budget, each name of a multi-name image counting; excluded, tracked, used and young ones stay', async () => {
    const docker = memoryDocker();
    docker.add({ id: 'big', repoTags: ['x/big:1'], size: 900, created: 1 });
    docker.add({ id: 'multi', repoTags: ['x/m:1', 'x/m:2'], size: 50, created: 1 });
    docker.add({ id: 'small', repoTags: [], size: 10, created: 1 });
    docker.add({ id: 'excluded', repoTags: ['x/keep:1'], size: 1, created: 1 });
    docker.add({ id: 'tracked', repoTags: ['x/t:1'], size: 1, created: 1 });
    docker.add({ id: 'used', repoTags: ['x/u:1'], size: 1, created: 1 });
    docker.add({ id: 'young', repoTags: ['x/y:1'], size: 1, created: 9 * HOUR });
    const run = (budget: number) => removeUntrackedImages({
      docker, logger: silent, now: 10 * HOUR, inUse: new Set(['used']), exclude: new Set(['x/keep:1']), tracked: new Set(['tracked']),
      minimumAgeMs: HOUR, budget,
    });
    expect(await run(3)).toEqual(['small', 'multi']);
    expect(docker.removed).toEqual(['small', 'x/m:1', 'x/m:2']);
    expect(await run(3)).toEqual(['big']);
    expect([...docker.images.keys()].sort()).toEqual(['excluded', 'tracked', 'used', 'young']);
  });
});
