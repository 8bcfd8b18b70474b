// Periodic image cleanup, as the real agent's dockerImageManager (agent/engine/docker_image_manager.go):
// every ECS_IMAGE_CLEANUP_INTERVAL, up to ECS_NUM_IMAGES_DELETE_PER_CYCLE images the agent pulled,
// least recently used first, pulled more than ECS_IMAGE_MINIMUM_CLEANUP_AGE ago, with no name in
// ECS_EXCLUDE_UNTRACKED_IMAGE. An image is never deleted while any container Docker has (running
// or stopped: a stopped task keeps its containers until task cleanup removes them) uses it, nor
// while a task the engine knows still waits to create a container from it. With
// ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP the rest of the cycle's budget goes to images the agent did
// not pull (untracked-images.ts). A cycle holds the pull/delete lock alone, or is skipped.
import type { Logger } from 'pino';
import type { DockerImages } from './docker-images.ts';
import type { ImageTracker, TrackedImage } from './image-tracker.ts';
import type { PullDeleteLock } from './pull-delete-lock.ts';
import { removeUntrackedImages } from './untracked-images.ts';

export interface ImageCleanerOptions {
  docker: DockerImages;
  tracker: ImageTracker;
  lock: PullDeleteLock;
  logger: Logger;
  intervalMs: number;
  minimumAgeMs: number;
  perCycle: number;
  /** ECS_EXCLUDE_UNTRACKED_IMAGE: names never deleted, tracked or not. */
  exclude: string[];
  /** ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP, with NON_ECS_IMAGE_MINIMUM_CLEANUP_AGE. */
  untracked?: { minimumAgeMs: number };
  /** Images of task containers not created yet (the engine's view): protected from deletion. */
  pendingImages: () => Iterable<string>;
  now?: () => number;
}

export interface CleanupResult {
  /** Image ids removed from Docker this cycle, tracked then untracked. */
  removed: string[];
}

export class ImageCleaner {
  #o: ImageCleanerOptions;
  #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<CleanupResult> | undefined;

  constructor(o: ImageCleanerOptions) {
    this.#o = o;
    this.#log = o.logger.child({ component: 'image-cleanup' });
  }

  start(): void {
    if (this.#timer) return;
    this.#log.info({ intervalMs: this.#o.intervalMs, minimumAgeMs: this.#o.minimumAgeMs, perCycle: this.#o.perCycle, exclude: this.#o.exclude, untracked: this.#o.untracked !== undefined }, 'image cleanup enabled');
    this.#timer = setInterval(() => void this.runOnce(), this.#o.intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a cycle in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** One cleanup cycle; overlapping calls share the cycle in progress. Never throws. */
  runOnce(): Promise<CleanupResult> {
    this.#running ??= this.#o.lock.tryExclusive(() => this.#cycle())
      .then((r) => {
        if (r.ran) return r.value;
        this.#log.debug('image pulls in progress; cleanup cycle skipped');
        return { removed: [] };
      })
      .catch((err: unknown) => {
        this.#log.warn({ err }, 'image cleanup cycle failed; trying again next interval');
        return { removed: [] };
      })
      .finally(() => { this.#running = undefined; });
    return this.#running;
  }

  async #cycle(): Promise<CleanupResult> {
    const { docker, tracker } = this.#o;
    const now = (this.#o.now ?? Date.now)();
    const inUse = await docker.containerImageIds();
    const pending = new Set(this.#o.pendingImages());
    const exclude = new Set(this.#o.exclude);
    const candidates = tracker.all()
      .filter((i) => !i.names.some((n) => exclude.has(n)))
      .filter((i) => now - i.pulledAt > this.#o.minimumAgeMs)
      .filter((i) => !inUse.has(i.imageId) && !i.names.some((n) => pending.has(n)))
      .sort((a, b) => a.lastUsedAt - b.lastUsedAt);
    const removed: string[] = [];
    for (const image of candidates) {
      if (removed.length >= this.#o.perCycle) break;
      if (await this.#remove(image)) removed.push(image.imageId);
    }
    if (this.#o.untracked && removed.length < this.#o.perCycle) {
      removed.push(...await removeUntrackedImages({
        docker, logger: this.#log, now, inUse, exclude,
        tracked: new Set(tracker.all().map((i) => i.imageId)),
        minimumAgeMs: this.#o.untracked.minimumAgeMs,
        budget: this.#o.perCycle - removed.length,
      }));
    }
    this.#log.debug({ removed: removed.length, tracked: tracker.all().length }, 'image cleanup cycle done');
    return { removed };
  }

  /** Untags each name (the last one deletes the image), or deletes by id when it has none left.
   *  True when the image is gone; a refusal (Docker: in use) keeps it and its record. */
  async #remove(image: TrackedImage): Promise<boolean> {
    const { docker, tracker } = this.#o;
    this.#log.info({ imageId: image.imageId, names: image.names, size: image.size, lastUsedAt: new Date(image.lastUsedAt).toISOString() }, 'removing unused image');
    try {
      for (const name of image.names.length ? image.names : [image.imageId]) {
        // A name re-tagged to another image since (outside the agent) is not ours to untag.
        const current = name === image.imageId ? undefined : await docker.inspectImage(name);
        if (name === image.imageId || current?.id === image.imageId) await docker.removeImage(name);
        tracker.forgetName(image.imageId, name);
      }
      // Untagged now (its names were re-pulled or re-tagged elsewhere) but still here: delete by id.
      let left = await docker.inspectImage(image.imageId);
      if (left && left.repoTags.length === 0 && image.names.length) {
        await docker.removeImage(image.imageId);
        left = await docker.inspectImage(image.imageId);
      }
      // A name tagged outside the agent may still hold the image: then it stays, untracked.
      tracker.forget(image.imageId);
      if (left) {
        this.#log.info({ imageId: image.imageId, otherNames: left.repoTags }, 'image has names the agent did not pull; kept, no longer tracked');
        return false;
      }
      this.#log.info({ imageId: image.imageId, names: image.names }, 'image removed');
      return true;
    } catch (err) {
      this.#log.warn({ imageId: image.imageId, err }, 'could not remove image; kept');
      return false;
    }
  }
}
