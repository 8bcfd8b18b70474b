// The single writer of one task's state (ecs-agent's managedTask): events are handled one at a
// time, in arrival order, by the pure nextStep; reports are handed to `emit` synchronously, in
// order; Docker effects run concurrently in the background and come back only as events. So
// containers of a task progress in parallel, and a slow stop never holds up another task.
// With a checkpoint, each new state is saved (with its report, in one write) before any of its
// effects run or its report is handed on: what the agent does or says is always on disk first.
import type { Logger } from 'pino';
import { nextStep } from './next-step.ts';
import type { TaskState } from './task-state.ts';
import type { DockerEffect, TaskEvent, TaskStateChange } from './task-events.ts';

export interface TaskActorOptions {
  state: TaskState;
  /** Runs a Docker effect; resolves with the events describing its outcome (never rejects). */
  run: (effect: DockerEffect) => Promise<TaskEvent[]>;
  emit: (change: TaskStateChange) => void;
  logger: Logger;
  /** Durable state: called with every changed state (and the report it produced) before acting. */
  persist?: (state: TaskState, report: TaskStateChange | undefined) => void;
  /** Called after every handled event with the state now current (e.g. to schedule cleanup). */
  onState?: (state: TaskState) => void;
  now?: () => number;
}

export class TaskActor {
  #state: TaskState;
  #o: TaskActorOptions;
  #queue: TaskEvent[] = [];
  #draining = false;
  #closed = false;
  #running = new Set<Promise<void>>();
  #saved: string | undefined;
  /** The one pending wake-up (a dependency's startTimeout deadline), as asked by the last step. */
  #wake: { at: number; timer: NodeJS.Timeout } | undefined;

  constructor(o: TaskActorOptions) {
    this.#o = o;
    this.#state = o.state;
  }

  get state(): TaskState {
    return this.#state;
  }

  dispatch(event: TaskEvent): void {
    if (this.#closed) return;
    this.#queue.push(event);
    if (this.#draining) return; // re-entrant dispatch (from emit): the loop below picks it up
    this.#draining = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) this.#handle(next);
    } finally {
      this.#draining = false;
    }
  }

  /** Stops handling events and starting effects; effects under way finish unobserved. */
  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    if (this.#wake) clearTimeout(this.#wake.timer);
    this.#wake = undefined;
  }

  /** Resolves when no Docker effect is under way (for orderly shutdown and tests). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  #handle(event: TaskEvent): void {
    const { state, effects, wakeAt } = nextStep(this.#state, event, (this.#o.now ?? Date.now)());
    if (this.#o.persist) {
      const report = effects.find((e) => e.type === 'emit')?.change;
      const json = JSON.stringify(state);
      if (report || json !== this.#saved) {
        try {
          this.#o.persist(state, report);
        } catch (err) {
          // Acting on a state we could not save could create a container twice after a restart:
          // stop handling this task instead (the restart's reconciliation picks it up again).
          this.#o.logger.fatal({ err }, 'cannot checkpoint the task state; no longer acting on this task');
          this.close();
          return;
        }
        this.#saved = json;
      }
    }
    this.#state = state;
    this.#scheduleWake(wakeAt);
    try {
      this.#o.onState?.(state);
    } catch (err) {
      this.#o.logger.error({ err }, 'state observer threw');
    }
    for (const effect of effects) {
      if (effect.type === 'emit') {
        this.#o.logger.info({ status: effect.change.status }, 'task state change');
        try {
          this.#o.emit(effect.change);
        } catch (err) {
          this.#o.logger.error({ err }, 'state change consumer threw');
        }
        continue;
      }
      const p = this.#o.run(effect).then(
        (events) => { for (const e of events) this.dispatch(e); },
        (err: unknown) => { this.#o.logger.error({ err, effect: effect.type }, 'effect runner rejected'); },
      ).finally(() => this.#running.delete(p));
      this.#running.add(p);
    }
  }

  #scheduleWake(at: number | undefined): void {
    if (this.#wake?.at === at) return;
    if (this.#wake) clearTimeout(this.#wake.timer);
    this.#wake = undefined;
    if (at === undefined || this.#closed) return;
    const delay = Math.max(0, at - (this.#o.now ?? Date.now)());
    // +1 ms: the deadline has passed (not merely been reached) when the tick is handled.
    const timer = setTimeout(() => { this.#wake = undefined; this.dispatch({ type: 'tick' }); }, delay + 1);
    timer.unref();
    this.#wake = { at, timer };
  }
}
