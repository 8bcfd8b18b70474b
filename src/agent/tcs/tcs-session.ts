// The TCS (telemetry) session: a SigV4-signed websocket to the telemetryEndpoint over which the
// agent publishes, every 20 s, container metrics (PublishMetricsRequest) and the health of its
// container runtime (PublishInstanceStatusRequest). Each frame carries its own signed header
// block. With ECS_DISABLE_METRICS the session still opens and publishes, but with no task metrics
// (as the real agent does: capture variant-metrics-disabled).
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { Logger } from 'pino';
import { signWebsocketUpgrade } from '../../protocol/sigv4-websocket.ts';
import { signTcsFrame, type TaskMetric, type TcsOutbound } from '../../protocol/tcs-frames.ts';
import type { TaskHealth } from '../../protocol/tcs-health.ts';
import { currentCredentials, type EcsClient } from '../ecs/ecs-client.ts';
import { discoverPollEndpoint } from '../register/register-instance.ts';
import { Backoff, ACS_RECONNECT_BACKOFF } from '../backoff.ts';
import { AGENT_HASH, AGENT_VERSION } from '../version.ts';
import { websocketUrl } from '../acs/acs-url.ts';

/** Where metrics come from: the Docker stats poller. Empty means the instance is idle. */
export interface MetricsSource {
  collect(): Promise<TaskMetric[]>;
  /** Health-checked containers' latest status (optional: sources without health send none). */
  health?(): TaskHealth[];
}

export interface TcsSessionOptions {
  client: EcsClient;
  cluster: string;
  containerInstanceArn: string;
  region: string;
  dockerVersion: string;
  metrics: MetricsSource;
  disableMetrics: boolean;
  logger: Logger;
  publishIntervalMs?: number;
}

export function tcsUrl(endpoint: string, q: { cluster: string; containerInstanceArn: string; dockerVersion: string }): string {
  const url = websocketUrl(endpoint);
  const p = new URLSearchParams();
  p.set('agentHash', AGENT_HASH);
  p.set('agentVersion', AGENT_VERSION);
  p.set('cluster', q.cluster);
  p.set('containerInstance', q.containerInstanceArn);
  p.set('dockerVersion', q.dockerVersion); // no "DockerVersion: " prefix on TCS
  url.search = p.toString();
  return url.toString();
}

export class TcsSession {
  readonly #o: TcsSessionOptions;
  readonly #backoff = new Backoff(ACS_RECONNECT_BACKOFF);
  readonly #startedAt = Date.now() / 1000;
  #socket: WebSocket | undefined;
  #publishTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(o: TcsSessionOptions) {
    this.#o = o;
  }

  start(): void {
    void this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#publishTimer);
    clearTimeout(this.#retryTimer);
    const s = this.#socket;
    this.#socket = undefined;
    if (s && s.readyState === WebSocket.OPEN) s.close(1000, 'agent shutting down');
    else s?.terminate();
  }

  async #connect(): Promise<void> {
    const o = this.#o;
    try {
      const { telemetry } = await discoverPollEndpoint(o.client, o.cluster, o.containerInstanceArn);
      if (!telemetry) throw new Error('DiscoverPollEndpoint returned no telemetryEndpoint');
      const url = tcsUrl(telemetry, { cluster: o.cluster, containerInstanceArn: o.containerInstanceArn, dockerVersion: o.dockerVersion });
      const headers = await signWebsocketUpgrade({ url, region: o.region, credentials: await currentCredentials(o.client) });
      if (this.#closed) return;
      const socket = new WebSocket(url, { headers, handshakeTimeout: 30_000, perMessageDeflate: false });
      this.#socket = socket;
      socket.on('open', () => {
        this.#backoff.reset();
        o.logger.info({ endpoint: telemetry }, 'TCS connected');
        void this.#publish(); // the real agent publishes right after connecting
        this.#publishTimer = setInterval(() => void this.#publish(), o.publishIntervalMs ?? 20_000);
      });
      socket.on('message', (d: Buffer) => o.logger.debug({ frame: d.toString().slice(0, 200) }, 'TCS frame'));
      socket.on('error', (err) => o.logger.debug({ err: err.message }, 'TCS socket error'));
      socket.on('close', () => {
        if (this.#socket !== socket) return;
        this.#retry('socket closed');
      });
    } catch (err) {
      this.#retry((err as Error).message);
    }
  }

  #retry(reason: string): void {
    clearInterval(this.#publishTimer);
    this.#socket = undefined;
    if (this.#closed) return;
    const delay = this.#backoff.next();
    this.#o.logger.warn({ reason, retryInMs: delay }, 'TCS connection lost');
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
  }

  async #publish(): Promise<void> {
    const o = this.#o;
    const now = Date.now() / 1000;
    const taskMetrics = o.disableMetrics ? [] : await o.metrics.collect().catch(() => []);
    const metadata = { cluster: o.cluster, containerInstance: o.containerInstanceArn, fin: true, idle: taskMetrics.length === 0, messageId: randomUUID() };
    await this.#send({ type: 'PublishMetricsRequest', message: { metadata, ...(taskMetrics.length ? { taskMetrics } : {}), timestamp: now } });
    await this.#send({
      type: 'PublishInstanceStatusRequest',
      message: {
        metadata: { cluster: o.cluster, containerInstance: o.containerInstanceArn, requestId: randomUUID() },
        statuses: [{ lastStatusChange: this.#startedAt, lastUpdated: now, status: 'OK', type: 'ContainerRuntime' }],
        timestamp: now,
      },
    });
    // Only for containers that have a health check, as the real agent.
    const health = o.metrics.health?.() ?? [];
    if (health.length > 0) {
      await this.#send({ type: 'PublishHealthRequest', message: { metadata: { cluster: o.cluster, containerInstance: o.containerInstanceArn, fin: true, messageId: randomUUID() }, tasks: health, timestamp: now } });
    }
  }

  async #send(frame: TcsOutbound): Promise<void> {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const host = new URL(socket.url).host;
    const text = await signTcsFrame({ host, region: this.#o.region, credentials: await currentCredentials(this.#o.client), json: JSON.stringify(frame) });
    socket.send(text);
  }
}
