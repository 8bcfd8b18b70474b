// A lightweight ECS agent for load: it speaks the real ACS protocol (RegisterContainerInstance,
// DiscoverPollEndpoint, the SigV4-signed websocket upgrade, acks for payloads, heartbeats and
// manifests, SubmitTaskStateChange) but runs nothing: a task is reported RUNNING as soon as its
// payload arrives. Hundreds share one process and one keep-alive HTTP client.
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { decodeInbound, encodeFrame, type AcsInbound } from '../../src/protocol/acs-messages.ts';
import { signWebsocketUpgrade, type SigningCredentials } from '../../src/protocol/sigv4-websocket.ts';
import type { SignedJsonClient } from './signed-json.ts';
import type { Timeline } from './timeline.ts';

export interface SimAgentOptions {
  api: SignedJsonClient;
  cluster: string;
  region: string;
  credentials: SigningCredentials;
  /** Marks `sim-payload:<desiredStatus>:<taskArn>` when a payload arrives and
   *  `sim-reported:<status>:<taskArn>` when the control plane acknowledged the report. */
  timeline: Timeline;
  /** Registered resources: plenty, so placement is never what limits a test. */
  cpu?: number;
  memoryMiB?: number;
  onError?: (err: Error) => void;
}

type Payload = Extract<AcsInbound, { type: 'PayloadMessage' }>;

/** What the real agent sends in its ACS query string (v1.83.0 capture, seq 16). */
const VERSION = { agentHash: 'c763e4dc', agentVersion: '1.83.0', dockerVersion: 'DockerVersion: 20.10.24' };

export class SimAgent {
  containerInstanceArn = '';
  /** Tasks reported RUNNING and acknowledged. */
  running = 0;
  readonly #o: SimAgentOptions;
  #ws: WebSocket | undefined;

  private constructor(o: SimAgentOptions) {
    this.#o = o;
  }

  /** Registers, discovers the ACS endpoint and connects; resolves once the socket is open. */
  static async start(o: SimAgentOptions): Promise<SimAgent> {
    const agent = new SimAgent(o);
    await agent.#register();
    await agent.#connect();
    return agent;
  }

  async #register(): Promise<void> {
    const out = await this.#o.api.call<{ containerInstance: { containerInstanceArn: string } }>('RegisterContainerInstance', {
      cluster: this.#o.cluster,
      totalResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: this.#o.cpu ?? 16_384 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: this.#o.memoryMiB ?? 65_536 },
        { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375', '2376', '51678', '51679'] },
        { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
      ],
      attributes: [{ name: 'ecs.capability.container-ordering' }, { name: 'ecs.os-type', value: 'linux' }, { name: 'ecs.capability.external' }],
      versionInfo: { agentVersion: VERSION.agentVersion, agentHash: VERSION.agentHash, dockerVersion: VERSION.dockerVersion },
      instanceIdentityDocument: '',
      instanceIdentityDocumentSignature: '',
    });
    this.containerInstanceArn = out.containerInstance.containerInstanceArn;
  }

  async #connect(): Promise<void> {
    const { endpoint } = await this.#o.api.call<{ endpoint: string }>('DiscoverPollEndpoint', {
      cluster: this.#o.cluster, containerInstance: this.containerInstanceArn,
    });
    // The Go agent appends "ws" to the endpoint (adding a "/" when it has none).
    const url = new URL(`${endpoint}${endpoint.endsWith('/') ? '' : '/'}ws`);
    url.protocol = 'ws:';
    const query: Record<string, string> = {
      ...VERSION, clusterArn: this.#o.cluster, containerInstanceArn: this.containerInstanceArn,
      protocolVersion: '2', sendCredentials: 'true', seqNum: '1',
    };
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers = await signWebsocketUpgrade({ url: url.toString(), region: this.#o.region, credentials: this.#o.credentials });
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    this.#ws = ws;
    ws.on('message', (data) => this.#onFrame(data as Buffer, performance.now()));
    ws.on('error', (err) => this.#o.onError?.(err));
    // The control plane closes a socket whose heartbeats go unanswered: that must not go unseen.
    ws.on('close', (code, reason) => {
      if (this.#ws === ws) this.#o.onError?.(new Error(`ACS socket closed by the control plane: ${code} ${reason.toString()}`));
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  }

  #onFrame(data: Buffer, at: number): void {
    const frame = decodeInbound(data);
    if ('unknown' in frame) return;
    switch (frame.type) {
      case 'PayloadMessage':
        for (const t of frame.message.tasks) this.#o.timeline.mark(`sim-payload:${t.desiredStatus}:${t.arn}`, at);
        this.#send({ type: 'AckRequest', message: { cluster: frame.message.clusterArn, containerInstance: this.containerInstanceArn, messageId: frame.message.messageId } });
        this.#report(frame);
        return;
      case 'HeartbeatMessage':
        if (frame.message.messageId) this.#send({ type: 'HeartbeatAckRequest', message: { messageId: frame.message.messageId } });
        return;
      case 'TaskManifestMessage':
        this.#send({ type: 'AckRequest', message: { cluster: frame.message.clusterArn, containerInstance: this.containerInstanceArn, messageId: frame.message.messageId } });
        return;
      default:
        return;
    }
  }

  #send(frame: Parameters<typeof encodeFrame>[0]): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(encodeFrame(frame));
  }

  /** Reports each task at its desired status, in the real agent's body shape (capture seq 22). */
  #report(frame: Payload): void {
    for (const task of frame.message.tasks) {
      const status = task.desiredStatus;
      const containers = task.containers.map((c) => ({
        containerName: c.name, runtimeId: randomBytes(32).toString('hex'), status,
        ...(status === 'STOPPED' ? { exitCode: 137 } : {}),
      }));
      this.#o.api.call('SubmitTaskStateChange', { cluster: this.#o.cluster, containers, reason: '', status, task: task.arn }).then(
        () => {
          if (status === 'RUNNING') this.running++;
          this.#o.timeline.mark(`sim-reported:${status}:${task.arn}`);
        },
        (err: Error) => this.#o.onError?.(err),
      );
    }
  }

  close(): void {
    const ws = this.#ws;
    this.#ws = undefined;
    ws?.terminate();
  }
}
