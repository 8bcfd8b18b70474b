// Per-call Docker timeouts, as the real agent sets them (agent/dockerclient/timeout.go): a hung
// daemon call must fail the transition rather than wedge the task forever.
import { DockerTimeoutError } from './docker-errors.ts';

export const DOCKER_TIMEOUTS_MS = {
  version: 10_000,
  list: 10_000,
  inspect: 30_000,
  inspectImage: 30_000,
  create: 4 * 60_000,
  start: 3 * 60_000,
  /** Added to the stop timeout `t` itself: Docker only answers after SIGKILL took effect. */
  stopExtra: 30_000,
  remove: 5 * 60_000,
  /** ECS_IMAGE_PULL_TIMEOUT's default. */
  pull: 2 * 60 * 60_000,
  listImages: 10 * 60_000,
  removeImage: 3 * 60_000,
} as const;

/** Waits between event-stream reconnect attempts: first, then doubling up to the cap. */
export const EVENT_RECONNECT_MS = { first: 250, max: 5_000 } as const;

/** Runs `call` with an abort signal that fires after `ms`; a fired timeout becomes DockerTimeoutError. */
export async function timed<T>(ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  try {
    return await call(signal);
  } catch (err) {
    if (signal.aborted) throw new DockerTimeoutError(`Docker call timed out after ${ms} ms`, { cause: err });
    throw err;
  }
}
