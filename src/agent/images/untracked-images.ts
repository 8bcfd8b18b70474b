// ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP: images the agent did not pull, as the real agent's
// removeNonECSImages: created more than NON_ECS_IMAGE_MINIMUM_CLEANUP_AGE ago, no name in
// ECS_EXCLUDE_UNTRACKED_IMAGE, smallest first, within what is left of the cycle's budget; an image
// with several names is untagged name by name (each counts), one with a single name or none is
// deleted by id. Unlike the real agent we skip any image a container uses rather than let Docker
// refuse it, and we never remove containers we did not create (its non-ECS container cleanup).
import type { Logger } from 'pino';
import type { DockerImages } from './docker-images.ts';

export interface UntrackedCleanup {
  docker: DockerImages;
  logger: Logger;
  now: number;
  /** Image ids any container uses. */
  inUse: Set<string>;
  exclude: Set<string>;
  tracked: Set<string>;
  minimumAgeMs: number;
  budget: number;
}

/** Returns the ids of the images removed (or untagged, for multi-name images). */
export async function removeUntrackedImages(o: UntrackedCleanup): Promise<string[]> {
  const images = (await o.docker.listImages())
    .filter((i) => !o.tracked.has(i.id) && !o.inUse.has(i.id))
    .filter((i) => !i.repoTags.some((t) => o.exclude.has(t)))
    .filter((i) => i.created > 0 && o.now - i.created > o.minimumAgeMs)
    .sort((a, b) => a.size - b.size);
  const removed: string[] = [];
  let spent = 0;
  for (const image of images) {
    if (spent >= o.budget) break;
    const refs = image.repoTags.length > 1 ? image.repoTags : [image.id];
    let any = false;
    for (const ref of refs) {
      try {
        if (await o.docker.removeImage(ref)) {
          spent++;
          any = true;
          o.logger.info({ imageId: image.id, ref, size: image.size }, 'untracked image removed');
        }
      } catch (err) {
        o.logger.warn({ imageId: image.id, ref, err }, 'could not remove untracked image; kept');
      }
    }
    if (any) removed.push(image.id);
  }
  return removed;
}
