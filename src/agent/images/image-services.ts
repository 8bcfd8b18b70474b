// Builds the agent's image side from its configuration: the puller the task engine uses (registry
// credentials, durable `once`, progress, inactivity timeout) and the periodic image cleaner, both
// sharing the tracker (what the agent pulled, in the agent store) and the pull/delete lock.
import type { Logger } from 'pino';
import type { ImageConfig } from '../config/image-config.ts';
import type { DockerEngine } from '../docker/docker-engine.ts';
import type { AgentStore } from '../store/agent-store.ts';
import { ImagePuller, type ImagePullBehavior } from '../engine/image-puller.ts';
import type { DockerImages } from './docker-images.ts';
import { ImageCleaner } from './image-cleaner.ts';
import { ImageTracker, type ImageRecords, type TrackedImage } from './image-tracker.ts';
import { PullDeleteLock } from './pull-delete-lock.ts';
import { parseEngineAuth } from './registry-auth.ts';

export interface ImageServices {
  puller: ImagePuller;
  tracker: ImageTracker;
  /** Undefined when cleanup is off (ECS_DISABLE_IMAGE_CLEANUP, or prefer-cached pulls). */
  cleaner: ImageCleaner | undefined;
}

export function createImageServices(o: {
  config: ImageConfig;
  behavior: ImagePullBehavior;
  docker: DockerEngine & { images: DockerImages };
  store: AgentStore;
  logger: Logger;
  /** Images of task containers not created yet (TaskEngine.pendingImages). */
  pendingImages: () => Iterable<string>;
}): ImageServices {
  const { config, logger } = o;
  const log = logger.child({ component: 'images' });
  const { auth, warnings } = parseEngineAuth(config.authType, config.authData);
  for (const w of warnings) log.warn(w);
  if (auth.registries().length) log.info({ registries: auth.registries() }, 'private registry credentials configured');
  const tracker = new ImageTracker({ docker: o.docker.images, records: storeImageRecords(o.store, log), logger: log });
  const lock = new PullDeleteLock();
  const puller = new ImagePuller({
    docker: o.docker, behavior: o.behavior, logger: log, tracker, auth, lock, inactivityTimeoutMs: config.pullInactivityTimeoutMs,
  });
  // The real agent never cleans up with prefer-cached: the cache is what those tasks run from.
  const cleanupOff = config.cleanupDisabled || o.behavior === 'prefer-cached';
  if (cleanupOff) log.info({ reason: config.cleanupDisabled ? 'ECS_DISABLE_IMAGE_CLEANUP' : 'ECS_IMAGE_PULL_BEHAVIOR=prefer-cached' }, 'image cleanup disabled');
  const cleaner = cleanupOff ? undefined : new ImageCleaner({
    docker: o.docker.images, tracker, lock, logger: log,
    intervalMs: config.cleanupIntervalMs, minimumAgeMs: config.minimumCleanupAgeMs, perCycle: config.imagesPerCycle,
    exclude: config.exclude, pendingImages: o.pendingImages,
    ...(config.untrackedCleanup ? { untracked: { minimumAgeMs: config.untrackedMinimumAgeMs } } : {}),
  });
  return { puller, tracker, cleaner };
}

/** Tracked images as JSON rows of the agent store; a row that does not parse is dropped, not fatal. */
export function storeImageRecords(store: AgentStore, logger: Logger): ImageRecords {
  return {
    load: () => store.loadImages().flatMap(({ imageId, state }) => {
      try {
        const i = JSON.parse(state) as TrackedImage;
        if (i.imageId === imageId && Array.isArray(i.names) && typeof i.pulledAt === 'number' && typeof i.lastUsedAt === 'number') return [i];
      } catch { /* reported below */ }
      logger.warn({ imageId }, 'unreadable tracked-image record dropped');
      store.deleteImage(imageId);
      return [];
    }),
    save: (i) => store.saveImage(i.imageId, JSON.stringify(i)),
    remove: (imageId) => store.deleteImage(imageId),
  };
}
