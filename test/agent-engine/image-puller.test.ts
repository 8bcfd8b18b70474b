// ECS_IMAGE_PULL_BEHAVIOR decisions, over a memory image store (the real-Docker pull paths are in
// task-engine.docker.test.ts and test/agent-images/).
import { describe, expect, it } from 'vitest';
import { ImagePuller, type ImagePullBehavior } from '../../src/agent/engine/image-puller.ts';
import { CannotPullContainerError } from '../../src/agent/docker/docker-errors.ts';
import type { DockerEngine } from '../../src/agent/docker/docker-engine.ts';
import { testLogger } from './engine-harness.ts';
import { ImageTracker, memoryImageRecords } from '../../src/agent/images/image-tracker.ts';
import { parseEngineAuth } from '../../src/agent/images/registry-auth.ts';
import { captureLogger, memoryDocker } from '../agent-images/memory-images.ts';

/** Only the image half of the port; a registry that has `remote` images. */
function memoryImages(o: { local: string[]; remote: string[] }) {
  const local = new Set(o.local);
  const pulls: string[] = [];
  const docker = {
    imageExists: async (ref: string) => local.has(ref),
    pullImage: async (ref: string) => {
      pulls.push(ref);
      await new Promise((r) => setTimeout(r, 5));
      if (!o.remote.includes(ref)) throw new CannotPullContainerError(`manifest for ${ref} not found`);
      local.add(ref);
    },
  } as Partial<DockerEngine> as DockerEngine;
  return { docker, pulls };
}

async function outcome(behavior: ImagePullBehavior, image: string, o: { local: string[]; remote: string[] }, times = 1) {
  const { docker, pulls } = memoryImages(o);
  const puller = new ImagePuller({ docker, behavior, logger: testLogger });
  const results: string[] = [];
  for (let i = 0; i < times; i++) {
    try {
      const r = await puller.ensure(image);
      results.push(r.pull ? 'pulled' : 'cached');
    } catch (err) {
      results.push(err instanceof CannotPullContainerError && (err as { pull?: unknown }).pull ? 'failed' : 'bad-error');
    }
  }
  return { results, pulls: pulls.length };
}

describe('ImagePuller', () => {
  it.each<[ImagePullBehavior, { local: string[]; remote: string[] }, number, string[], number]>([
    ['default', { local: [], remote: ['img'] }, 2, ['pulled', 'pulled'], 2],
    ['default', { local: ['img'], remote: [] }, 1, ['pulled'], 1], // pull failed, cached image used (window still reported)
    ['default', { local: [], remote: [] }, 1, ['failed'], 1],
    ['always', { local: ['img'], remote: [] }, 1, ['failed'], 1],
    ['always', { local: [], remote: ['img'] }, 2, ['pulled', 'pulled'], 2],
    ['once', { local: [], remote: ['img'] }, 3, ['pulled', 'cached', 'cached'], 1],
    ['once', { local: ['img'], remote: [] }, 1, ['failed'], 1],
    ['prefer-cached', { local: ['img'], remote: [] }, 1, ['cached'], 0],
    ['prefer-cached', { local: [], remote: ['img'] }, 2, ['pulled', 'cached'], 1],
    ['prefer-cached', { local: [], remote: [] }, 1, ['failed'], 1],
  ])('%s with %o, %i time(s) → %o in %i pull(s)', async (behavior, images, times, results, pulls) => {
    expect(await outcome(behavior, 'img', images, times)).toEqual({ results, pulls });
  });

  it('joins concurrent pulls of one image into one Docker call', async () => {
    const { docker, pulls } = memoryImages({ local: [], remote: ['img'] });
    const puller = new ImagePuller({ docker, behavior: 'always', logger: testLogger });
    await Promise.all([puller.ensure('img'), puller.ensure('img'), puller.ensure('img')]);
    expect(pulls).toEqual(['img']);
  });
});

describe('ImagePuller with the agent wiring (tracker, credentials, inactivity timeout)', () => {
  /** The DockerEngine's image half over the in-memory image store of the image tests. */
  function wired() {
    const images = memoryDocker();
    const calls: Array<{ ref: string; o: Parameters<DockerEngine['pullImage']>[1] }> = [];
    let n = 0;
    const docker = {
      imageExists: async (ref: string) => (await images.inspectImage(ref)) !== undefined,
      pullImage: async (ref: string, o: Parameters<DockerEngine['pullImage']>[1]) => {
        calls.push({ ref, o });
        if (ref.startsWith('dead.example.com/')) throw new CannotPullContainerError('connection refused');
        o?.onProgress?.({ status: 'Downloading', id: 'l1', progressDetail: { current: 10, total: 10 } });
        o?.onProgress?.({ status: 'Pull complete', id: 'l1' });
        images.add({ id: `sha256:${++n}`, repoTags: [ref] });
      },
    } as Partial<DockerEngine> as DockerEngine;
    return { images, docker, calls };
  }

  it('once is remembered by the tracker: a new puller over the same records does not pull again', async () => {
    const { images, docker, calls } = wired();
    const records = memoryImageRecords();
    const first = new ImagePuller({ docker, behavior: 'once', logger: testLogger, tracker: new ImageTracker({ docker: images, records, logger: testLogger }) });
    expect((await first.ensure('reg.example.com/a:1')).pull).toBeDefined();
    const restarted = new ImagePuller({ docker, behavior: 'once', logger: testLogger, tracker: new ImageTracker({ docker: images, records, logger: testLogger }) });
    expect(await restarted.ensure('reg.example.com/a:1')).toEqual({});
    expect(calls).toHaveLength(1);
    // Gone behind the agent's back: pulled again rather than failing the create.
    await images.removeImage('reg.example.com/a:1');
    expect((await restarted.ensure('reg.example.com/a:1')).pull).toBeDefined();
    expect(calls).toHaveLength(2);
  });

  it('passes the registry credentials of the image host only, and the inactivity timeout; logs progress, not the password', async () => {
    const { docker, calls } = wired();
    const { logger, lines } = captureLogger();
    const { auth } = parseEngineAuth('docker', JSON.stringify({ 'reg.example.com': { username: 'u', password: 'hunter2' } }));
    const puller = new ImagePuller({ docker, behavior: 'always', logger, auth, inactivityTimeoutMs: 2000 });
    await puller.ensure('reg.example.com/a:1');
    await puller.ensure('other.example.com/b:1');
    expect(calls.map((c) => [c.ref, c.o?.auth?.username, c.o?.inactivityTimeoutMs])).toEqual([
      ['reg.example.com/a:1', 'u', 2000], ['other.example.com/b:1', undefined, 2000],
    ]);
    expect(lines.filter((l) => l.msg === 'image layer pulled')).toHaveLength(2);
    expect(lines.find((l) => l.msg === 'pulling image')).toMatchObject({ registry: 'reg.example.com', withCredentialsFor: 'reg.example.com' });
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });

  it('a cached image used by a task moves its last use forward (least recently used goes first in cleanup)', async () => {
    const { images, docker } = wired();
    let now = 1000;
    const tracker = new ImageTracker({ docker: images, records: memoryImageRecords(), logger: testLogger, now: () => now });
    const puller = new ImagePuller({ docker, behavior: 'prefer-cached', logger: testLogger, tracker });
    await puller.ensure('reg.example.com/a:1');
    now = 5000;
    expect(await puller.ensure('reg.example.com/a:1')).toEqual({});
    expect(tracker.all()).toEqual([expect.objectContaining({ names: ['reg.example.com/a:1'], pulledAt: 1000, lastUsedAt: 5000 })]);
  });
});
