// A protocol peer that does what an ECS agent does, over the real wire: registers through the
// SDK, discovers the ACS endpoint, opens the SigV4-signed ACS websocket, acks what it receives and
// reports task state with SubmitTaskStateChange. No Docker: it reports whatever the test says.
import {
  DiscoverPollEndpointCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
  SubmitTaskStateChangeCommand,
  type Attribute,
  type ContainerStateChange,
  type Resource,
} from '@aws-sdk/client-ecs';
import WebSocket from 'ws';
import { decodeInbound, encodeFrame, type AcsInbound, type AcsOutbound, type UnknownFrame } from '../../src/protocol/acs-messages.ts';
import { signWebsocketUpgrade } from '../../src/protocol/sigv4-websocket.ts';

export const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' };
export const REGION = 'us-east-1';

export function ecsClient(url: string): ECSClient {
  return new ECSClient({ endpoint: url, region: REGION, credentials: CREDENTIALS });
}

export interface FakeAgentOptions {
  url: string;
  cluster?: string;
  cpu?: number;
  memory?: number;
  ports?: string[];
  portsUdp?: string[];
  /** GPU ids to register (a GPU STRINGSET resource), as an agent with ECS_ENABLE_GPU_SUPPORT would. */
  gpus?: string[];
  /** ECS Anywhere instance (adds ecs.capability.external); default true, as `dockhand local`. */
  external?: boolean;
  attributes?: Attribute[];
  /** Ack payloads, manifests and heartbeats as they arrive; default true. */
  autoAck?: boolean;
}

type Frame = AcsInbound | UnknownFrame;
export type PayloadFrame = Extract<AcsInbound, { type: 'PayloadMessage' }>;

export class FakeAgent {
  readonly client: ECSClient;
  readonly cluster: string;
  containerInstanceArn = '';
  autoAck: boolean;
  /** Every frame received on any connection, in order. */
  readonly frames: Frame[] = [];
  ws: WebSocket | undefined;
  #url: string;
  #cursor = new Map<string, number>();
  #waiters: Array<() => void> = [];

  constructor(o: FakeAgentOptions) {
    this.#url = o.url;
    this.client = ecsClient(o.url);
    this.cluster = o.cluster ?? 'default';
    this.autoAck = o.autoAck ?? true;
  }

  static async register(o: FakeAgentOptions): Promise<FakeAgent> {
    const agent = new FakeAgent(o);
    const resources: Resource[] = [
      { name: 'CPU', type: 'INTEGER', integerValue: o.cpu ?? 2048 },
      { name: 'MEMORY', type: 'INTEGER', integerValue: o.memory ?? 4096 },
      { name: 'PORTS', type: 'STRINGSET', stringSetValue: o.ports ?? ['22', '2375', '2376', '51678', '51679'] },
      { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: o.portsUdp ?? [] },
      ...(o.gpus ? [{ name: 'GPU', type: 'STRINGSET', stringSetValue: o.gpus }] : []),
    ];
    const attributes: Attribute[] = [
      { name: 'ecs.capability.container-ordering' },
      // What a stock agent advertises, so task definitions using them are placeable (requiresAttributes).
      { name: 'com.amazonaws.ecs.capability.logging-driver.json-file' },
      { name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' },
      { name: 'com.amazonaws.ecs.capability.logging-driver.none' },
      { name: 'com.amazonaws.ecs.capability.privileged-container' },
      { name: 'ecs.capability.network.container-port-range' },
      { name: 'ecs.capability.task-cpu-mem-limit' },
      { name: 'ecs.os-type', value: 'linux' },
      ...((o.external ?? true) ? [{ name: 'ecs.capability.external' }] : []),
      ...(o.attributes ?? []),
    ];
    const out = await agent.client.send(new RegisterContainerInstanceCommand({
      cluster: agent.cluster,
      totalResources: resources,
      attributes,
      versionInfo: { agentVersion: '1.83.0', agentHash: 'c763e4dc', dockerVersion: 'DockerVersion: 20.10.24' },
      instanceIdentityDocument: '',
      instanceIdentityDocumentSignature: '',
    }));
    agent.containerInstanceArn = out.containerInstance!.containerInstanceArn!;
    return agent;
  }

  /** DiscoverPollEndpoint, then the ACS websocket as the Go agent builds it. Resolves when open. */
  async connect(): Promise<void> {
    const { endpoint } = await this.client.send(new DiscoverPollEndpointCommand({ cluster: this.cluster, containerInstance: this.containerInstanceArn }));
    const url = new URL(`${endpoint!}${endpoint!.endsWith('/') ? '' : '/'}ws`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const q: Record<string, string> = {
      agentHash: 'c763e4dc', agentVersion: '1.83.0', clusterArn: this.cluster, containerInstanceArn: this.containerInstanceArn,
      dockerVersion: 'DockerVersion: 20.10.24', protocolVersion: '2', sendCredentials: 'true', seqNum: '1',
    };
    for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
    const headers = await signWebsocketUpgrade({ url: url.toString(), region: REGION, credentials: CREDENTIALS });
    const ws = new WebSocket(url, { headers });
    this.ws = ws;
    ws.on('message', (data) => this.#onFrame(ws, decodeInbound(data as Buffer)));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  }

  #onFrame(ws: WebSocket, frame: Frame): void {
    this.frames.push(frame);
    if (this.autoAck && !('unknown' in frame)) {
      // The real agent acks manifests with AckRequest too (capture seq 33).
      if (frame.type === 'PayloadMessage' || frame.type === 'TaskManifestMessage') this.ack(frame.message.messageId, ws);
      if (frame.type === 'HeartbeatMessage' && frame.message.messageId) {
        ws.send(encodeFrame({ type: 'HeartbeatAckRequest', message: { messageId: frame.message.messageId } }));
      }
    }
    for (const w of this.#waiters.splice(0)) w();
  }

  send(frame: AcsOutbound, ws = this.ws): void {
    ws?.send(encodeFrame(frame));
  }

  ack(messageId: string, ws = this.ws): void {
    ws?.send(encodeFrame({ type: 'AckRequest', message: { cluster: this.cluster, containerInstance: this.containerInstanceArn, messageId } }));
  }

  /** The next frame of `type` not yet returned by this method (frames are kept in order). */
  async next<T extends string>(type: T, timeoutMs = 3000): Promise<Extract<Frame, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const from = this.#cursor.get(type) ?? 0;
      const index = this.frames.findIndex((f, i) => i >= from && f.type === type);
      if (index >= 0) {
        this.#cursor.set(type, index + 1);
        return this.frames[index] as Extract<Frame, { type: T }>;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} frame within ${timeoutMs} ms (got ${this.frames.map((f) => f.type).join(', ')})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  nextPayload(timeoutMs?: number): Promise<PayloadFrame> {
    return this.next('PayloadMessage', timeoutMs);
  }

  async report(taskArn: string, status: 'RUNNING' | 'STOPPED', containers: ContainerStateChange[], extra: { reason?: string; executionStoppedAt?: Date } = {}): Promise<string | undefined> {
    const out = await this.client.send(new SubmitTaskStateChangeCommand({ cluster: this.cluster, task: taskArn, status, containers, reason: extra.reason ?? '', ...(extra.executionStoppedAt ? { executionStoppedAt: extra.executionStoppedAt } : {}) }));
    return out.acknowledgment;
  }

  async disconnect(): Promise<void> {
    const ws = this.ws;
    this.ws = undefined;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close();
    });
  }

  async close(): Promise<void> {
    await this.disconnect();
    this.client.destroy();
  }
}

/** Polls until `check` passes (or throws its last error after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
