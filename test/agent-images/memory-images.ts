// Test helpers for the pure-logic tests: an in-memory image store with Docker's untag/delete rules
// (a name untags; the last name, or the id, deletes; an image a container uses is refused), and a
// logger that keeps its lines.
import pino, { type Logger } from 'pino';
import type { DockerImages, ImageInfo } from '../../src/agent/images/docker-images.ts';

export interface MemoryDocker extends DockerImages {
  images: Map<string, ImageInfo>;
  containers: Set<string>;
  removed: string[];
  add(i: Partial<ImageInfo> & { id: string; repoTags: string[] }): void;
}

export function memoryDocker(): MemoryDocker {
  const images = new Map<string, ImageInfo>();
  const containers = new Set<string>();
  const removed: string[] = [];
  const byRef = (ref: string): ImageInfo | undefined => images.get(ref) ?? [...images.values()].find((i) => i.repoTags.includes(ref));
  return {
    images, containers, removed,
    add(i) {
      for (const other of images.values()) other.repoTags = other.repoTags.filter((t) => !i.repoTags.includes(t));
      images.set(i.id, { size: 100, created: 0, ...i, repoTags: [...i.repoTags] });
    },
    inspectImage: async (ref) => { const i = byRef(ref); return i ? { ...i, repoTags: [...i.repoTags] } : undefined; },
    listImages: async () => [...images.values()].map((i) => ({ ...i, repoTags: [...i.repoTags] })),
    containerImageIds: async () => new Set(containers),
    async removeImage(ref) {
      const i = byRef(ref);
      if (!i) return false;
      const isName = i.repoTags.includes(ref);
      if (isName && i.repoTags.length > 1) {
        i.repoTags = i.repoTags.filter((t) => t !== ref);
        removed.push(ref);
        return true;
      }
      if (containers.has(i.id)) throw new Error(`conflict: unable to remove ${ref}: image is being used by a container`);
      if (!isName && i.repoTags.length > 1) throw new Error(`conflict: unable to delete ${ref}: image is referenced in multiple repositories`);
      images.delete(i.id);
      removed.push(ref);
      return true;
    },
  };
}

export function captureLogger(level = 'info'): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level }, { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>); } });
  return { logger, lines };
}
