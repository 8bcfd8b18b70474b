// Image pulls per ECS_IMAGE_PULL_BEHAVIOR, shared by every task of the engine (the real agent's
// imagePullRequired + handleEventError):
//   default       always try to pull; if that fails, a cached image will do
//   always        pull; a failed pull fails the container
//   once          pull only if this agent has not pulled the image before; remembered durably by
//                 the image tracker (images/), so a restart does not pull again
//   prefer-cached pull only if the image is not present locally
// Concurrent pulls of one image are joined into one Docker call (nomad's coordinator). Pulls hold
// the pull/delete lock shared, so that image cleanup never removes an image mid-pull.
import type { Logger } from 'pino';
import type { DockerEngine } from '../docker/docker-engine.ts';
import { CannotPullContainerError } from '../docker/docker-errors.ts';
import type { PullWindow } from './task-events.ts';
import type { ImageTracker } from '../images/image-tracker.ts';
import type { RegistryAuth } from '../images/registry-auth.ts';
import { registryHostOf } from '../images/registry-auth.ts';
import { PullDeleteLock } from '../images/pull-delete-lock.ts';
import { PullProgress } from '../images/pull-progress.ts';

export type ImagePullBehavior = 'default' | 'always' | 'once' | 'prefer-cached';

export interface ImagePullerOptions {
  docker: DockerEngine;
  behavior: ImagePullBehavior;
  logger: Logger;
  now?: () => number;
  /** What the agent pulled, durably (for `once` across restarts, and for image cleanup). Without
   *  it, `once` is remembered in memory only. */
  tracker?: ImageTracker;
  /** ECS_ENGINE_AUTH_TYPE / ECS_ENGINE_AUTH_DATA. */
  auth?: RegistryAuth;
  /** ECS_IMAGE_PULL_INACTIVITY_TIMEOUT (absent: Docker may stay silent for ever). */
  inactivityTimeoutMs?: number;
  /** Shared with the image cleaner. */
  lock?: PullDeleteLock;
  /** How often a pull in progress logs its byte totals. */
  progressIntervalMs?: number;
}

export class ImagePuller {
  #o: ImagePullerOptions;
  #log: Logger;
  #lock: PullDeleteLock;
  #pulledOnce = new Set<string>();
  #inFlight = new Map<string, Promise<void>>();

  constructor(o: ImagePullerOptions) {
    this.#o = o;
    this.#log = o.logger;
    this.#lock = o.lock ?? new PullDeleteLock();
  }

  /** Makes `image` usable. Resolves with the pull window when a pull was attempted; rejects with
   *  CannotPullContainerError (carrying the window as `pull`) when no usable image results. */
  async ensure(image: string): Promise<{ pull?: PullWindow }> {
    const { behavior } = this.#o;
    // `once` also checks that the image is still here: one removed behind the agent's back is
    // pulled again rather than failing the create (the real agent trusts its record alone).
    if (behavior === 'once' && this.#pulledBefore(image) && (await this.#exists(image))) {
      this.#log.info({ image }, 'image pulled before (ECS_IMAGE_PULL_BEHAVIOR=once); using it');
      await this.#used(image);
      return {};
    }
    if (behavior === 'prefer-cached' && (await this.#exists(image))) {
      await this.#used(image);
      return {};
    }
    const now = this.#o.now ?? Date.now;
    const startedAt = now();
    try {
      await this.#pull(image);
      return { pull: { startedAt, stoppedAt: now() } };
    } catch (err) {
      const pull = { startedAt, stoppedAt: now() };
      if (behavior === 'default' && (await this.#exists(image))) {
        this.#log.warn({ image, err }, 'image pull failed; using the cached image');
        await this.#used(image);
        return { pull };
      }
      const failure = err instanceof CannotPullContainerError ? err : new CannotPullContainerError(String(err), { cause: err });
      throw Object.assign(failure, { pull });
    }
  }

  #pull(image: string): Promise<void> {
    let p = this.#inFlight.get(image);
    if (!p) {
      p = this.#lock.shared(() => this.#pullNow(image)).finally(() => this.#inFlight.delete(image));
      this.#inFlight.set(image, p);
    }
    return p;
  }

  async #pullNow(image: string): Promise<void> {
    const auth = this.#o.auth?.credentialsFor(image);
    // Which registry and whether credentials go along; never the credentials themselves.
    this.#log.info({ image, registry: registryHostOf(image), ...(auth ? { withCredentialsFor: auth.serveraddress } : {}) }, 'pulling image');
    const progress = new PullProgress(image, this.#log, { ...(this.#o.progressIntervalMs ? { intervalMs: this.#o.progressIntervalMs } : {}), ...(this.#o.now ? { now: this.#o.now } : {}) });
    await this.#o.docker.pullImage(image, {
      ...(auth ? { auth } : {}),
      ...(this.#o.inactivityTimeoutMs ? { inactivityTimeoutMs: this.#o.inactivityTimeoutMs } : {}),
      onProgress: (e) => progress.onEvent(e),
    });
    progress.finish();
    this.#pulledOnce.add(image);
    try {
      await this.#o.tracker?.recordPull(image);
    } catch (err) {
      this.#log.warn({ image, err }, 'could not record the pulled image (ECS_IMAGE_PULL_BEHAVIOR=once and image cleanup will not know it)');
    }
  }

  #pulledBefore(image: string): boolean {
    return this.#o.tracker ? this.#o.tracker.pulledBefore(image) : this.#pulledOnce.has(image);
  }

  /** A cached image serves a task: its last use moves (least recently used images go first). */
  async #used(image: string): Promise<void> {
    try {
      await this.#o.tracker?.recordUse(image);
    } catch (err) {
      this.#log.warn({ image, err }, 'could not record the image use');
    }
  }

  async #exists(image: string): Promise<boolean> {
    try {
      return await this.#o.docker.imageExists(image);
    } catch (err) {
      this.#log.warn({ image, err }, 'could not check for a cached image');
      return false;
    }
  }
}
