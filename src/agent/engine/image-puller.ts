// Image pulls per ECS_IMAGE_PULL_BEHAVIOR, shared by every task of the engine:
//   default       always try to pull; if that fails, a cached image will do
//   always        pull; a failed pull fails the container
//   once          pull only if this agent has not pulled the image before (in memory for now)
//   prefer-cached pull only if the image is not present locally
// Concurrent pulls of one image are joined into one Docker call (nomad's coordinator).
import type { Logger } from 'pino';
import type { DockerEngine } from '../docker/docker-engine.ts';
import { CannotPullContainerError } from '../docker/docker-errors.ts';
import type { PullWindow } from './task-events.ts';

export type ImagePullBehavior = 'default' | 'always' | 'once' | 'prefer-cached';

export interface ImagePullerOptions {
  docker: DockerEngine;
  behavior: ImagePullBehavior;
  logger: Logger;
  now?: () => number;
}

export class ImagePuller {
  #o: ImagePullerOptions;
  #pulledOnce = new Set<string>();
  #inFlight = new Map<string, Promise<void>>();

  constructor(o: ImagePullerOptions) {
    this.#o = o;
  }

  /** Makes `image` usable. Resolves with the pull window when a pull was attempted; rejects with
   *  CannotPullContainerError (carrying the window as `pull`) when no usable image results. */
  async ensure(image: string): Promise<{ pull?: PullWindow }> {
    const { behavior } = this.#o;
    if (behavior === 'once' && this.#pulledOnce.has(image)) return {};
    if (behavior === 'prefer-cached' && (await this.#exists(image))) return {};
    const now = this.#o.now ?? Date.now;
    const startedAt = now();
    try {
      await this.#pull(image);
      this.#pulledOnce.add(image);
      return { pull: { startedAt, stoppedAt: now() } };
    } catch (err) {
      const pull = { startedAt, stoppedAt: now() };
      if (behavior === 'default' && (await this.#exists(image))) {
        this.#o.logger.warn({ image, err }, 'image pull failed; using the cached image');
        return { pull };
      }
      const failure = err instanceof CannotPullContainerError ? err : new CannotPullContainerError(String(err), { cause: err });
      throw Object.assign(failure, { pull });
    }
  }

  #pull(image: string): Promise<void> {
    let p = this.#inFlight.get(image);
    if (!p) {
      p = this.#o.docker.pullImage(image).finally(() => this.#inFlight.delete(image));
      this.#inFlight.set(image, p);
    }
    return p;
  }

  async #exists(image: string): Promise<boolean> {
    try {
      return await this.#o.docker.imageExists(image);
    } catch (err) {
      this.#o.logger.warn({ image, err }, 'could not check for a cached image');
      return false;
    }
  }
}
