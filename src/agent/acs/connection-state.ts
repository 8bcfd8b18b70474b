// The ACS connection as a state machine. Transitions live here; the session performs the I/O
// (open the socket, arm timers) that each state calls for.

export type Connection =
  | { status: 'idle' }
  | { status: 'connecting'; attempt: number }
  | { status: 'connected'; since: number }
  | { status: 'waiting'; attempt: number; delayMs: number; reason: string }
  | { status: 'closed' };

export type ConnectionEvent =
  | { type: 'connect' }
  | { type: 'opened'; at: number }
  /** The socket failed or closed; `delayMs` is how long to wait before the next attempt. */
  | { type: 'lost'; reason: string; delayMs: number }
  | { type: 'retry' }
  | { type: 'shutdown' };

export function transition(state: Connection, event: ConnectionEvent): Connection {
  if (event.type === 'shutdown') return { status: 'closed' };
  switch (state.status) {
    case 'idle':
      return event.type === 'connect' ? { status: 'connecting', attempt: 1 } : state;
    case 'connecting':
      switch (event.type) {
        case 'opened': return { status: 'connected', since: event.at };
        case 'lost': return { status: 'waiting', attempt: state.attempt, delayMs: event.delayMs, reason: event.reason };
        case 'connect': case 'retry': return state;
        default: return assertNever(event);
      }
    case 'connected':
      return event.type === 'lost'
        ? { status: 'waiting', attempt: 0, delayMs: event.delayMs, reason: event.reason }
        : state;
    case 'waiting':
      return event.type === 'retry' ? { status: 'connecting', attempt: state.attempt + 1 } : state;
    case 'closed':
      return state;
    default:
      return assertNever(state);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}
