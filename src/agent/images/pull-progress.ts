// Pull progress for the log, throttled: Docker sends a message every few hundred KiB per layer, so
// logging each would drown the log. We log one line per layer that finished downloading, a totals
// line at most every `intervalMs` while bytes flow, and a summary when the pull ends.
import type { Logger } from 'pino';
import type { PullProgressEvent } from './docker-images.ts';

interface LayerProgress {
  current: number;
  total: number;
  /** Extracted (downloaded by this pull) or found already present. */
  done: boolean;
  present: boolean;
}

export interface PullSummary {
  layers: number;
  /** Layers that were already on this host. */
  layersPresent: number;
  downloadedBytes: number;
  elapsedMs: number;
}

/** Layer statuses of Docker's pull messages (distribution/xfer and distribution/pull_v2.go). */
const LAYER_STATUSES = new Set([
  'Pulling fs layer', 'Waiting', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete', 'Already exists',
]);

export class PullProgress {
  #image: string;
  #log: Logger;
  #intervalMs: number;
  #now: () => number;
  #startedAt: number;
  #lastTotalsAt: number;
  #layers = new Map<string, LayerProgress>();

  constructor(image: string, logger: Logger, o: { intervalMs?: number; now?: () => number } = {}) {
    this.#image = image;
    this.#log = logger;
    this.#intervalMs = o.intervalMs ?? 10_000;
    this.#now = o.now ?? Date.now;
    this.#startedAt = this.#now();
    this.#lastTotalsAt = this.#startedAt;
  }

  onEvent(e: PullProgressEvent): void {
    const status = e.status ?? '';
    if (!e.id || !LAYER_STATUSES.has(status)) return; // whole-image messages ("Pulling from", "Digest: …")
    let layer = this.#layers.get(e.id);
    if (!layer) {
      layer = { current: 0, total: 0, done: false, present: false };
      this.#layers.set(e.id, layer);
    }
    switch (status) {
      case 'Downloading':
        layer.current = e.progressDetail?.current ?? layer.current;
        layer.total = e.progressDetail?.total ?? layer.total;
        this.#maybeLogTotals();
        return;
      case 'Download complete':
        layer.current = Math.max(layer.current, layer.total);
        return;
      case 'Pull complete': {
        if (layer.done) return;
        layer.done = true;
        const t = this.totals();
        this.#log.info({ image: this.#image, layer: e.id, bytes: layer.current, layersDone: t.layersDone, layers: t.layers }, 'image layer pulled');
        return;
      }
      case 'Already exists':
        layer.done = true;
        layer.present = true;
        this.#log.debug({ image: this.#image, layer: e.id }, 'image layer already present');
        return;
      default:
        return; // Pulling fs layer, Waiting, Verifying Checksum, Extracting: no bytes to count
    }
  }

  totals(): { layers: number; layersDone: number; downloadedBytes: number; totalBytes: number } {
    let layersDone = 0;
    let downloadedBytes = 0;
    let totalBytes = 0;
    for (const l of this.#layers.values()) {
      if (l.done) layersDone++;
      downloadedBytes += l.current;
      totalBytes += l.total;
    }
    return { layers: this.#layers.size, layersDone, downloadedBytes, totalBytes };
  }

  /** Logs and returns the summary of a finished pull. */
  finish(): PullSummary {
    const t = this.totals();
    const summary: PullSummary = {
      layers: t.layers,
      layersPresent: [...this.#layers.values()].filter((l) => l.present).length,
      downloadedBytes: t.downloadedBytes,
      elapsedMs: this.#now() - this.#startedAt,
    };
    this.#log.info({ image: this.#image, ...summary }, 'image pulled');
    return summary;
  }

  #maybeLogTotals(): void {
    const now = this.#now();
    if (now - this.#lastTotalsAt < this.#intervalMs) return;
    this.#lastTotalsAt = now;
    this.#log.info({ image: this.#image, ...this.totals() }, 'image pull progress');
  }
}
