// Exponential backoff with jitter, the shape the real agent uses for ACS reconnects
// (250 ms → 2 min, ×1.5) and for state-change submission (1 s → 30 s, ×1.3).

export interface BackoffPolicy {
  minMs: number;
  maxMs: number;
  multiplier: number;
  /** Fraction of the delay added at random, 0..1. */
  jitter: number;
}

export const ACS_RECONNECT_BACKOFF: BackoffPolicy = { minMs: 250, maxMs: 120_000, multiplier: 1.5, jitter: 0.2 };
export const SUBMIT_STATE_BACKOFF: BackoffPolicy = { minMs: 1_000, maxMs: 30_000, multiplier: 1.3, jitter: 0.2 };

export class Backoff {
  readonly policy: BackoffPolicy;
  #current: number;

  constructor(policy: BackoffPolicy) {
    this.policy = policy;
    this.#current = policy.minMs;
  }

  /** The next delay to wait; each call grows the one after it. */
  next(): number {
    const base = this.#current;
    this.#current = Math.min(this.policy.maxMs, this.#current * this.policy.multiplier);
    return Math.round(base + base * this.policy.jitter * Math.random());
  }

  reset(): void {
    this.#current = this.policy.minMs;
  }
}
