// A Docker `GET /events` subscription that survives the stream dropping: it reconnects with
// backoff and asks Docker to replay from the last event it saw (`since`), so a `die` that
// happened while disconnected still reaches the engine. Transport-agnostic: the adapter passes
// in how to open the raw stream.
import type { Logger } from 'pino';
import { CONTAINER_EVENT_ACTIONS, type ContainerEvent, type ContainerEventAction, type EventSubscription } from './docker-engine.ts';
import { EVENT_RECONNECT_MS } from './docker-timeouts.ts';
import { isOneOf } from '../../protocol/statuses.ts';

/** Opens the raw JSON-lines stream; `since` is Docker's "<seconds>.<nanoseconds>" form. */
export type OpenEventStream = (since: string | undefined, signal: AbortSignal) => Promise<NodeJS.ReadableStream>;

export interface RawEvent {
  Type?: string;
  Action?: string;
  id?: string;
  timeNano?: number;
  time?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

export function subscribeToEvents(
  open: OpenEventStream, listener: (e: ContainerEvent) => void, logger: Logger, onReconnect?: () => void,
): EventSubscription {
  const abort = new AbortController();
  let since: string | undefined;
  let lastKey = '';
  let delay: number = EVENT_RECONNECT_MS.first;
  let connections = 0;
  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => { resolveReady = resolve; });

  const handleLine = (line: string): void => {
    let raw: RawEvent;
    try {
      raw = JSON.parse(line) as RawEvent;
    } catch {
      logger.warn('ignoring an unparsable Docker event line');
      return;
    }
    const event = toContainerEvent(raw);
    if (!event) return;
    const nanos = raw.timeNano ?? (raw.time ?? 0) * 1e9;
    since = `${Math.floor(nanos / 1e9)}.${String(nanos % 1e9).padStart(9, '0')}`;
    // A replay after reconnecting starts at `since` inclusive: skip the one event we already delivered.
    const key = `${event.id}/${raw.Action}/${nanos}`;
    if (key === lastKey) return;
    lastKey = key;
    listener(event);
  };

  const connect = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      try {
        const stream = await open(since, abort.signal);
        resolveReady();
        delay = EVENT_RECONNECT_MS.first;
        if (++connections > 1) {
          logger.info('Docker event stream reconnected');
          try { onReconnect?.(); } catch (err) { logger.error({ err }, 'reconnect handler threw'); }
        }
        await pump(stream, handleLine);
        if (!abort.signal.aborted) logger.warn('Docker event stream ended; reconnecting');
      } catch (err) {
        if (abort.signal.aborted) return;
        logger.warn({ err }, 'Docker event stream failed; reconnecting');
      }
      if (abort.signal.aborted) return;
      // Before the first successful connection `since` is unset; fix it now so that events
      // emitted while we retry are replayed once we get through.
      since ??= (Date.now() / 1000).toFixed(9);
      await sleep(delay, abort.signal);
      delay = Math.min(delay * 2, EVENT_RECONNECT_MS.max);
    }
  };
  void connect();
  return {
    ready,
    close: () => {
      abort.abort();
      resolveReady();
    },
  };
}

export function toContainerEvent(raw: RawEvent): ContainerEvent | undefined {
  // Health changes arrive as one action per status: "health_status: healthy".
  const [action, detail] = (raw.Action ?? '').split(/:\s*/, 2);
  if (raw.Type !== 'container' || !isOneOf<ContainerEventAction>(CONTAINER_EVENT_ACTIONS, action)) return undefined;
  const id = raw.Actor?.ID ?? raw.id;
  if (!id) return undefined;
  const labels = { ...(raw.Actor?.Attributes ?? {}) };
  const nanos = raw.timeNano ?? (raw.time ?? 0) * 1e9;
  const event: ContainerEvent = { action, id, time: Math.floor(nanos / 1e6), labels };
  if (action === 'die' && labels.exitCode !== undefined) event.exitCode = Number(labels.exitCode);
  if (action === 'health_status') {
    if (detail !== 'healthy' && detail !== 'unhealthy' && detail !== 'starting') return undefined;
    event.health = detail;
  }
  return event;
}

function pump(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let buf = '';
    stream.on('data', (chunk: Buffer | string) => {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) onLine(line);
      }
    });
    stream.on('end', () => resolve());
    stream.on('close', () => resolve());
    stream.on('error', () => resolve());
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
