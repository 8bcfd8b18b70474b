// The ACS session: discover the endpoint, open the SigV4-signed websocket, hand frames to the
// handlers, and keep the connection alive the way the real agent does — reconnect with backoff
// (250 ms → 2 min, ×1.5), reconnect when nothing arrives for 1 min + jitter, and reconnect on
// purpose every 30 min + jitter. Reconnecting never touches running tasks.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { Logger } from 'pino';
import { decodeInbound, encodeFrame, type AcsOutbound } from '../../protocol/acs-messages.ts';
import { signWebsocketUpgrade } from '../../protocol/sigv4-websocket.ts';
import { currentCredentials, type EcsClient } from '../ecs/ecs-client.ts';
import { discoverPollEndpoint } from '../register/register-instance.ts';
import type { AgentStore } from '../store/agent-store.ts';
import { Backoff, ACS_RECONNECT_BACKOFF } from '../backoff.ts';
import { AGENT_HASH, AGENT_VERSION } from '../version.ts';
import { acsUrl } from './acs-url.ts';
import type { TaskCredentialsStore } from '../credentials/task-credentials.ts';
import { handleAcsFrame, type AcsTaskSink } from './acs-handlers.ts';
import { transition, type Connection, type ConnectionEvent } from './connection-state.ts';

export interface AcsTiming {
  heartbeatTimeoutMs: number;
  heartbeatJitterMs: number;
  connectionLifetimeMs: number;
  connectionJitterMs: number;
  /** Wait after InactiveInstanceException before trying again. */
  inactiveWaitMs: number;
}

export const REAL_AGENT_TIMING: AcsTiming = {
  heartbeatTimeoutMs: 60_000,
  heartbeatJitterMs: 60_000,
  connectionLifetimeMs: 30 * 60_000,
  connectionJitterMs: 15 * 60_000,
  inactiveWaitMs: 60_000,
};

export interface AcsSessionOptions {
  client: EcsClient;
  cluster: string;
  containerInstanceArn: string;
  region: string;
  dockerVersion: string;
  store: AgentStore;
  tasks: AcsTaskSink;
  logger: Logger;
  timing?: Partial<AcsTiming>;
  credentials?: TaskCredentialsStore;
}

const SEQ_KEY = 'acsSeqNum';

export class AcsSession {
  readonly #o: AcsSessionOptions;
  readonly #timing: AcsTiming;
  readonly #backoff = new Backoff(ACS_RECONNECT_BACKOFF);
  #state: Connection = { status: 'idle' };
  #socket: WebSocket | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #lifetimeTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #sentCredentialsRequest = false;
  #connectedWaiters: Array<() => void> = [];

  constructor(o: AcsSessionOptions) {
    this.#o = o;
    this.#timing = { ...REAL_AGENT_TIMING, ...o.timing };
  }

  get state(): Connection {
    return this.#state;
  }

  start(): void {
    this.#dispatch({ type: 'connect' });
  }

  /** Resolves once the websocket is open (now, or at the next successful connect). */
  connected(): Promise<void> {
    if (this.#state.status === 'connected') return Promise.resolve();
    return new Promise((resolve) => this.#connectedWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.#dispatch({ type: 'shutdown' });
    const socket = this.#socket;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { socket.terminate(); resolve(); }, 1000);
        socket.once('close', () => { clearTimeout(t); resolve(); });
        socket.close(1000, 'agent shutting down');
      });
    }
  }

  #dispatch(event: ConnectionEvent): void {
    const before = this.#state;
    this.#state = transition(before, event);
    if (this.#state === before) return;
    this.#enter(this.#state);
  }

  /** The side effects of entering each state. */
  #enter(state: Connection): void {
    this.#clearTimers();
    switch (state.status) {
      case 'idle':
        return;
      case 'connecting':
        void this.#open();
        return;
      case 'connected':
        this.#backoff.reset();
        this.#armIdleTimer();
        this.#lifetimeTimer = setTimeout(
          () => this.#drop('periodic reconnect', 0),
          this.#timing.connectionLifetimeMs + Math.random() * this.#timing.connectionJitterMs,
        );
        for (const w of this.#connectedWaiters.splice(0)) w();
        return;
      case 'waiting':
        this.#o.logger.warn({ reason: state.reason, retryInMs: state.delayMs }, 'ACS connection lost');
        this.#retryTimer = setTimeout(() => this.#dispatch({ type: 'retry' }), state.delayMs);
        return;
      case 'closed':
        return;
    }
  }

  async #open(): Promise<void> {
    const o = this.#o;
    try {
      const endpoints = await discoverPollEndpoint(o.client, o.cluster, o.containerInstanceArn);
      const url = acsUrl(endpoints.acs, {
        agentHash: AGENT_HASH,
        agentVersion: AGENT_VERSION,
        cluster: o.cluster,
        containerInstanceArn: o.containerInstanceArn,
        dockerVersion: o.dockerVersion,
        // Like the real agent: ask for task credentials on the first connection after start.
        sendCredentials: !this.#sentCredentialsRequest,
        seqNum: this.#lastSeqNum() + 1,
      });
      const headers = await signWebsocketUpgrade({ url, region: o.region, credentials: await currentCredentials(o.client) });
      if (this.#state.status !== 'connecting') return; // shut down while we were signing
      const socket = new WebSocket(url, { headers, handshakeTimeout: 30_000, perMessageDeflate: false });
      this.#socket = socket;
      socket.on('open', () => {
        this.#sentCredentialsRequest = true;
        o.logger.info({ endpoint: endpoints.acs }, 'ACS connected');
        this.#dispatch({ type: 'opened', at: Date.now() });
      });
      socket.on('message', (data: Buffer) => this.#onMessage(data));
      socket.on('error', (err) => o.logger.debug({ err: err.message }, 'ACS socket error'));
      socket.on('close', (code, reason) => {
        if (this.#socket !== socket) return;
        this.#socket = undefined;
        this.#dispatch({ type: 'lost', reason: `socket closed (${code} ${reason.toString()})`, delayMs: this.#backoff.next() });
      });
    } catch (err) {
      this.#dispatch({ type: 'lost', reason: `cannot connect: ${(err as Error).name}: ${(err as Error).message}`, delayMs: this.#backoff.next() });
    }
  }

  #onMessage(data: Buffer): void {
    this.#armIdleTimer();
    let frame;
    try {
      frame = decodeInbound(data);
    } catch (err) {
      this.#o.logger.warn({ err: (err as Error).message }, 'ignoring undecodable ACS frame');
      return;
    }
    handleAcsFrame(frame, {
      tasks: this.#o.tasks,
      send: (f) => this.#send(f),
      lastSeqNum: () => this.#lastSeqNum(),
      setLastSeqNum: (n) => this.#o.store.setMeta(SEQ_KEY, String(n)),
      logger: this.#o.logger,
      reconnect: (reason, opts) => this.#drop(reason, opts?.inactive ? this.#timing.inactiveWaitMs : this.#backoff.next()),
      newMessageId: randomUUID,
      ...(this.#o.credentials ? { credentials: this.#o.credentials } : {}),
    });
  }

  #send(frame: AcsOutbound): void {
    const socket = this.#socket;
    if (socket?.readyState === WebSocket.OPEN) socket.send(encodeFrame(frame));
  }

  /** Closes the current socket on purpose and reconnects after `delayMs`. */
  #drop(reason: string, delayMs: number): void {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.terminate();
    this.#dispatch({ type: 'lost', reason, delayMs });
  }

  #armIdleTimer(): void {
    clearTimeout(this.#idleTimer);
    const wait = this.#timing.heartbeatTimeoutMs + Math.random() * this.#timing.heartbeatJitterMs;
    this.#idleTimer = setTimeout(() => this.#drop('no message from ACS within the heartbeat timeout', this.#backoff.next()), wait);
  }

  #lastSeqNum(): number {
    return Number(this.#o.store.getMeta(SEQ_KEY) ?? '0');
  }

  #clearTimers(): void {
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#lifetimeTimer);
    clearTimeout(this.#retryTimer);
  }
}
