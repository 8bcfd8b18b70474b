// Pulls and image deletions never overlap (the real agent's ImagePullDeleteLock): a cleanup that
// untagged an image while a task was pulling it would leave that task without its image. Pulls
// share the lock; a cleanup cycle takes it alone. Unlike the real agent's RWMutex, a cleanup never
// waits for pulls: a waiting writer would hold every new pull behind the slowest one in progress
// (up to ECS_IMAGE_PULL_TIMEOUT), so a cycle that finds pulls running is skipped until the next one.

export class PullDeleteLock {
  #pulls = 0;
  #cleanup: Promise<void> | undefined;

  async shared<T>(body: () => Promise<T>): Promise<T> {
    while (this.#cleanup) await this.#cleanup;
    this.#pulls++;
    try {
      return await body();
    } finally {
      this.#pulls--;
    }
  }

  /** Runs `body` alone, or not at all (resolves `{ ran: false }`) when pulls or a cleanup are under way. */
  async tryExclusive<T>(body: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.#pulls > 0 || this.#cleanup) return { ran: false };
    let release!: () => void;
    this.#cleanup = new Promise<void>((r) => { release = r; });
    try {
      return { ran: true, value: await body() };
    } finally {
      this.#cleanup = undefined;
      release();
    }
  }
}
