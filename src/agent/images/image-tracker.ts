// The images this agent pulled, kept durably (the agent's store) so that ECS_IMAGE_PULL_BEHAVIOR
// =once survives a restart and image cleanup knows what is ours to delete. Like the real agent's
// ImageState, one record per image id, with every name the agent used for it, when it was first
// pulled (the cleanup age counts from there) and when a task last used it (least recently used
// goes first). Images the agent never pulled successfully (pre-loaded, `docker load`ed, built on
// the host) are not tracked, so tracked cleanup never touches them.
import type { Logger } from 'pino';
import type { DockerImages } from './docker-images.ts';

export interface TrackedImage {
  imageId: string;
  names: string[];
  size: number;
  /** Epoch ms. */
  pulledAt: number;
  lastUsedAt: number;
}

/** Where records live (the agent store in production). */
export interface ImageRecords {
  load(): TrackedImage[];
  save(image: TrackedImage): void;
  remove(imageId: string): void;
}

export function memoryImageRecords(): ImageRecords {
  const m = new Map<string, TrackedImage>();
  return { load: () => [...m.values()], save: (i) => void m.set(i.imageId, { ...i }), remove: (id) => void m.delete(id) };
}

export class ImageTracker {
  #docker: Pick<DockerImages, 'inspectImage'>;
  #records: ImageRecords;
  #log: Logger;
  #now: () => number;
  #images = new Map<string, TrackedImage>();

  constructor(o: { docker: Pick<DockerImages, 'inspectImage'>; records: ImageRecords; logger: Logger; now?: () => number }) {
    this.#docker = o.docker;
    this.#records = o.records;
    this.#log = o.logger;
    this.#now = o.now ?? Date.now;
    for (const image of o.records.load()) this.#images.set(image.imageId, image);
  }

  /** True if the agent pulled `name` successfully before (and has not cleaned it up since). */
  pulledBefore(name: string): boolean {
    return [...this.#images.values()].some((i) => i.names.includes(name));
  }

  all(): TrackedImage[] {
    return [...this.#images.values()].map((i) => ({ ...i, names: [...i.names] }));
  }

  /** After a successful pull of `name`. */
  async recordPull(name: string): Promise<void> {
    const info = await this.#docker.inspectImage(name);
    if (!info) {
      this.#log.warn({ image: name }, 'pulled image not found by inspect; not tracked for cleanup');
      return;
    }
    const now = this.#now();
    this.#moveName(name, info.id);
    const existing = this.#images.get(info.id);
    this.#put({
      imageId: info.id,
      names: existing ? [...new Set([...existing.names, name])] : [name],
      size: info.size,
      pulledAt: existing?.pulledAt ?? now,
      lastUsedAt: now,
    });
  }

  /** A task is about to use `name` from the cache: refreshes its last use if the image is ours. */
  async recordUse(name: string): Promise<void> {
    const info = await this.#docker.inspectImage(name);
    const existing = info ? this.#images.get(info.id) : undefined;
    if (!info || !existing) return;
    this.#moveName(name, info.id);
    this.#put({ ...existing, names: [...new Set([...existing.names, name])], lastUsedAt: this.#now() });
  }

  /** The name no longer points at this image (it was untagged). */
  forgetName(imageId: string, name: string): void {
    const existing = this.#images.get(imageId);
    if (existing) this.#put({ ...existing, names: existing.names.filter((n) => n !== name) });
  }

  /** The image is gone from Docker. */
  forget(imageId: string): void {
    this.#images.delete(imageId);
    this.#records.remove(imageId);
  }

  /** A name re-pulled to a new id leaves the old image: that one keeps its record (it is still ours
   *  to clean up, by id) but loses the name. */
  #moveName(name: string, toId: string): void {
    for (const other of this.#images.values()) {
      if (other.imageId !== toId && other.names.includes(name)) this.#put({ ...other, names: other.names.filter((n) => n !== name) });
    }
  }

  #put(image: TrackedImage): void {
    this.#images.set(image.imageId, image);
    this.#records.save(image);
  }
}
