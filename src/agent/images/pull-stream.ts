// Reading Docker's pull stream (newline-separated JSON messages) and watching it for inactivity.
// A pull can fail after the 200 response: the error then arrives as a message, so the stream is
// read to its end. ECS_IMAGE_PULL_INACTIVITY_TIMEOUT is enforced as the real agent does: no message
// from Docker for that long (a registry that stopped sending bytes) cancels the pull.
import type { PullProgressEvent } from './docker-images.ts';

/** Fires `onIdle` once when `touch()` has not been called for `ms`; `ms` undefined or 0: never. */
export class ActivityWatch {
  #timer: NodeJS.Timeout | undefined;
  #ms: number | undefined;
  #onIdle: () => void;

  constructor(ms: number | undefined, onIdle: () => void) {
    this.#ms = ms && ms > 0 ? ms : undefined;
    this.#onIdle = onIdle;
    this.touch();
  }

  touch(): void {
    if (this.#ms === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => { this.#ms = undefined; this.#onIdle(); }, this.#ms);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#ms = undefined;
  }
}

/** Resolves when the stream ends cleanly; rejects with Docker's error message, a stream error, or
 *  the signal's abort. Every message goes to `onEvent`, in order. */
export function followPullStream(
  stream: NodeJS.ReadableStream, o: { signal: AbortSignal; onEvent: (event: PullProgressEvent) => void },
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let buffered = '';
    let failure: string | undefined;
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      o.signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else if (failure !== undefined) reject(new Error(failure));
      else resolve();
    };
    const onAbort = (): void => {
      settle(o.signal.reason instanceof Error ? o.signal.reason : new Error('pull aborted'));
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    };
    const handleLine = (line: string): void => {
      const text = line.trim();
      if (!text) return;
      let event: PullProgressEvent;
      try {
        event = JSON.parse(text) as PullProgressEvent;
      } catch {
        return; // not a message (Docker writes only JSON here); skip rather than fail the pull
      }
      if (typeof event.error === 'string' && failure === undefined) failure = event.error;
      o.onEvent(event);
    };
    if (o.signal.aborted) { onAbort(); return; }
    o.signal.addEventListener('abort', onAbort);
    stream.on('data', (chunk: Buffer | string) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        handleLine(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    });
    stream.on('end', () => { handleLine(buffered); settle(); });
    stream.on('error', (err: Error) => settle(err));
    // A socket closed without 'end' (dockerd died mid-pull) is a failure, not a success.
    stream.on('close', () => settle(new Error('the pull stream closed before the pull finished')));
  });
}
