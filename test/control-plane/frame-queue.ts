// The frames one websocket received, in order, with "wait for the next one of this type".
import type WebSocket from 'ws';

export interface JsonFrame { type: string; message: unknown }

export class FrameQueue {
  readonly frames: JsonFrame[] = [];
  #used = new Set<number>();
  #waiters: Array<() => void> = [];
  #listeners: Array<(f: JsonFrame) => void> = [];

  constructor(ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as JsonFrame;
      this.frames.push(frame);
      for (const l of this.#listeners) l(frame);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  onFrame(listener: (f: JsonFrame) => void): void {
    this.#listeners.push(listener);
  }

  /** The oldest frame of `type` (matching `accept`) not returned before. */
  async next(type: string, accept: (f: JsonFrame) => boolean = () => true, timeoutMs = 5000): Promise<JsonFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex((f, i) => !this.#used.has(i) && f.type === type && accept(f));
      if (index >= 0) {
        // Frames of the same type before it are passed over for good (e.g. extra heartbeats).
        for (let i = 0; i <= index; i++) if (this.frames[i]!.type === type) this.#used.add(i);
        return this.frames[index]!;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} within ${timeoutMs} ms (got ${this.frames.map((f) => f.type).join(', ')})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }
}
