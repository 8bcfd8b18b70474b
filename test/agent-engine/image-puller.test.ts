// ECS_IMAGE_PULL_BEHAVIOR decisions, over a memory image store (the real-Docker pull paths are in
// task-engine.docker.test.ts).
import { describe, expect, it } from 'vitest';
import { ImagePuller, type ImagePullBehavior } from '../../src/agent/engine/image-puller.ts';
import { CannotPullContainerError } from '../../src/agent/docker/docker-errors.ts';
import type { DockerEngine } from '../../src/agent/docker/docker-engine.ts';
import { testLogger } from './engine-harness.ts';

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
