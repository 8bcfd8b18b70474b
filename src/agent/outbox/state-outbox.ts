// The durable outbox between the task engine and SubmitTaskStateChange. A change is written to
// the store first (so a crash cannot lose it), then delivered: in order per task, one in flight
// per task, retried with backoff (1 s → 30 s, ×1.3, jitter) until the control plane acknowledges
// it. Changes of different tasks never wait for each other.
import { SubmitTaskStateChangeCommand, type EcsClient } from '../ecs/ecs-client.ts';
import type { Logger } from 'pino';
import type { TaskStateChangeRequest } from '../../protocol/state-change.ts';
import type { AgentStore, OutboxEntry } from '../store/agent-store.ts';
import { Backoff, SUBMIT_STATE_BACKOFF, type BackoffPolicy } from '../backoff.ts';
import { toSubmitInput } from './submit-input.ts';

/** Answers that retrying cannot change: the real agent drops the change and logs it. */
const PERMANENT_ERRORS = new Set(['ClientException', 'InvalidParameterException', 'AccessDeniedException']);

export type TaskStateChange = Omit<TaskStateChangeRequest, 'cluster'>;

/** The stored form of a change: the SubmitTaskStateChange body as JSON. */
export function outboxBody(cluster: string, change: TaskStateChange): string {
  const body: TaskStateChangeRequest = { cluster, ...change };
  return JSON.stringify(body);
}

export interface StateOutboxOptions {
  store: AgentStore;
  client: EcsClient;
  logger: Logger;
  backoff?: BackoffPolicy;
  /** Upper bound of concurrent submissions (the real agent uses 10). */
  concurrency?: number;
}

export class StateOutbox {
  readonly #o: StateOutboxOptions;
  readonly #inFlight = new Set<string>();
  readonly #retryAt = new Map<string, { timer: NodeJS.Timeout; backoff: Backoff; waiting: boolean }>();
  #running = false;
  #idleWaiters: Array<() => void> = [];

  constructor(o: StateOutboxOptions) {
    this.#o = o;
  }

  /** Schedules delivery of what someone else queued in the store (the task checkpoint queues a
   *  change in the same transaction as the task state that produced it). */
  kick(): void {
    this.#pump();
  }

  /** Starts delivering, including whatever an earlier run left in the store. */
  start(): void {
    this.#running = true;
    this.#pump();
  }

  async close(): Promise<void> {
    this.#running = false;
    for (const r of this.#retryAt.values()) clearTimeout(r.timer);
    this.#retryAt.clear();
  }

  /** Resolves when nothing is waiting for delivery (tests and graceful shutdown). */
  drained(): Promise<void> {
    if (this.#o.store.outboxSize() === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #pump(): void {
    if (!this.#running) return;
    const limit = this.#o.concurrency ?? 10;
    for (const entry of this.#o.store.outboxHeads()) {
      if (this.#inFlight.size >= limit) break;
      if (this.#inFlight.has(entry.taskArn)) continue;
      const retry = this.#retryAt.get(entry.taskArn);
      if (retry?.waiting) continue; // still waiting out its backoff
      void this.#deliver(entry);
    }
    if (this.#o.store.outboxSize() === 0) for (const w of this.#idleWaiters.splice(0)) w();
  }

  async #deliver(entry: OutboxEntry): Promise<void> {
    this.#inFlight.add(entry.taskArn);
    const body = JSON.parse(entry.body) as TaskStateChangeRequest;
    const log = this.#o.logger.child({ taskArn: entry.taskArn, status: body.status });
    try {
      await this.#o.client.send(new SubmitTaskStateChangeCommand(toSubmitInput(body)));
      this.#o.store.acknowledge(entry.id);
      this.#retryAt.delete(entry.taskArn);
      log.info('task state change acknowledged');
    } catch (err) {
      const name = (err as Error).name;
      if (PERMANENT_ERRORS.has(name)) {
        this.#o.store.acknowledge(entry.id);
        log.error({ err: { name, message: (err as Error).message } }, 'control plane rejected the task state change; dropping it');
      } else {
        this.#scheduleRetry(entry.taskArn, log, err as Error);
      }
    } finally {
      this.#inFlight.delete(entry.taskArn);
      this.#pump();
    }
  }

  #scheduleRetry(taskArn: string, log: Logger, err: Error): void {
    const backoff = this.#retryAt.get(taskArn)?.backoff ?? new Backoff(this.#o.backoff ?? SUBMIT_STATE_BACKOFF);
    const delay = backoff.next();
    const state = { backoff, waiting: true, timer: setTimeout(() => { state.waiting = false; this.#pump(); }, delay) };
    this.#retryAt.set(taskArn, state);
    log.warn({ err: { name: err.name, message: err.message }, retryInMs: delay }, 'task state change not delivered; will retry');
  }
}
