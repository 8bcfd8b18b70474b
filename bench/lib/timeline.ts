// One place where every observer (Docker events, the control plane's websocket sends and request
// arrivals, the simulated agents) records when something happened, as performance.now() in this
// process. Keys name the event and its subject, e.g. `payload:RUNNING:<taskArn>`; the first mark
// of a key wins, so a re-sent payload or a repeated report never moves a measurement.

export class Timeline {
  #marks = new Map<string, number>();
  #waiters = new Map<string, Array<(t: number) => void>>();

  mark(key: string, at = performance.now()): void {
    if (this.#marks.has(key)) return;
    this.#marks.set(key, at);
    const waiting = this.#waiters.get(key);
    if (!waiting) return;
    this.#waiters.delete(key);
    for (const resolve of waiting) resolve(at);
  }

  get(key: string): number | undefined {
    return this.#marks.get(key);
  }

  /** The time of `key`, waiting for it up to `timeoutMs`. */
  waitFor(key: string, timeoutMs: number): Promise<number> {
    const at = this.#marks.get(key);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = this.#waiters.get(key) ?? [];
        this.#waiters.set(key, list.filter((w) => w !== done));
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${key}`));
      }, timeoutMs);
      const done = (t: number) => {
        clearTimeout(timer);
        resolve(t);
      };
      const list = this.#waiters.get(key) ?? [];
      list.push(done);
      this.#waiters.set(key, list);
    });
  }

  /** Forgets marks whose key starts with `prefix` (long runs would otherwise keep every task). */
  forget(prefix: string): void {
    for (const key of this.#marks.keys()) if (key.startsWith(prefix)) this.#marks.delete(key);
  }
}
