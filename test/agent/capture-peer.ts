// A control plane that answers as the capture's fake control plane did
// (shared/fixtures/ecs-agent-capture): the ECS JSON API, ACS at /acs/ws and TCS at /tcs/ws on one
// loopback port, recording everything our agent sends so tests can compare it with the real agent.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { WebSocketServer, type WebSocket } from 'ws';
import { splitTcsFrame } from '../../src/protocol/tcs-frames.ts';

export const CAPTURE_DIR = '../shared/fixtures/ecs-agent-capture';
export const CAPTURED_INSTANCE_ARN = 'arn:aws:ecs:us-west-2:123456789012:container-instance/ecsref/0f1e2d3c4b5a69788796a5b4c3d2e1f0';

export interface CaptureRecord {
  seq: number; channel: string; direction: string; kind: string; operation?: string;
  query?: Record<string, string>; headers?: [string, string][]; body?: { type?: string; message?: Record<string, unknown> } & Record<string, unknown>;
}

export function loadCapture(run = 'main'): CaptureRecord[] {
  return readFileSync(`${CAPTURE_DIR}/${run}.traffic.jsonl`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as CaptureRecord);
}

export interface Upgrade { path: string; query: Record<string, string>; headers: IncomingMessage['headers'] }

export interface CapturePeer {
  url: string;
  /** ECS API requests in arrival order. */
  api: Array<{ operation: string; raw: string; body: Record<string, unknown>; headers: IncomingMessage['headers'] }>;
  upgrades: Partial<Record<'acs' | 'tcs', Upgrade>>;
  /** Every ACS upgrade, with its arrival time (performance.now()). */
  acsUpgrades: Array<Upgrade & { at: number }>;
  /** Closes the agent's ACS socket from the server side. */
  dropAcs(): void;
  frames: { acs: string[]; tcs: string[] };
  /** Sends a frame to the connected agent's ACS socket. */
  sendAcs(frame: unknown): void;
  acsConnected(): boolean;
  /** Answers the next RegisterContainerInstance with this ECS error instead. */
  failRegistrationWith(type: string | undefined): void;
  /** While true, SubmitTaskStateChange requests are read but never answered (a hung control plane). */
  hangSubmits(on: boolean): void;
  /** Leaves this attribute out of the registration echo (an attribute mismatch). */
  dropEchoedAttribute(name: string | undefined): void;
  close(): Promise<void>;
}

export async function startCapturePeer(): Promise<CapturePeer> {
  const api: CapturePeer['api'] = [];
  const upgrades: CapturePeer['upgrades'] = {};
  const acsUpgrades: CapturePeer['acsUpgrades'] = [];
  const frames = { acs: [] as string[], tcs: [] as string[] };
  let acsSocket: WebSocket | undefined;
  let registrationError: string | undefined;
  let droppedAttribute: string | undefined;
  let hang = false;
  let base = '';

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => { raw += d; });
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
      api.push({ operation, raw, body, headers: req.headers });
      const reply = (status: number, payload: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': String(api.length) });
        res.end(JSON.stringify(payload));
      };
      switch (operation) {
        case 'RegisterContainerInstance':
          if (registrationError) return reply(400, { __type: registrationError, message: 'rejected by the test peer' });
          return reply(200, { containerInstance: {
            containerInstanceArn: body.containerInstanceArn ?? CAPTURED_INSTANCE_ARN, ec2InstanceId: 'mi-0123456789abcdef0', version: 1,
            remainingResources: body.totalResources, registeredResources: body.totalResources, status: 'ACTIVE', agentConnected: false,
            runningTasksCount: 0, pendingTasksCount: 0,
            attributes: (body.attributes as Array<{ name: string }>).filter((a) => a.name !== droppedAttribute), registeredAt: Date.now() / 1000, attachments: [], tags: [],
          } });
        case 'DiscoverPollEndpoint':
          return reply(200, { endpoint: `${base}/acs/`, telemetryEndpoint: `${base}/tcs/`, serviceConnectEndpoint: `${base}/acs/` });
        case 'SubmitTaskStateChange':
        case 'SubmitContainerStateChange':
          if (hang) return; // leave the request open: the client's own timeout must end it
          return reply(200, { acknowledgment: 'ACK' });
        default:
          return reply(400, { __type: 'UnknownOperationException', message: operation });
      }
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url!, 'http://x');
    const channel = url.pathname.startsWith('/acs/') ? 'acs' : 'tcs';
    upgrades[channel] = { path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers };
    if (channel === 'acs') acsUpgrades.push({ ...upgrades[channel]!, at: performance.now() });
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (d: Buffer) => frames[channel].push(d.toString()));
      if (channel === 'acs') {
        acsSocket = ws;
        ws.on('close', () => { if (acsSocket === ws) acsSocket = undefined; });
      } else {
        ws.on('message', (d: Buffer) => {
          const type = (JSON.parse(splitTcsFrame(d.toString()).json) as { type: string }).type;
          const ack = type === 'PublishMetricsRequest' ? 'AckPublishMetric' : type === 'PublishInstanceStatusRequest' ? 'AckPublishInstanceStatus' : 'AckPublishHealth';
          ws.send(JSON.stringify({ type: ack, message: { message: '' } }));
        });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url: base, api, upgrades, acsUpgrades, frames,
    dropAcs: () => acsSocket?.terminate(),
    sendAcs: (frame) => acsSocket?.send(JSON.stringify(frame)),
    acsConnected: () => acsSocket !== undefined,
    failRegistrationWith: (type) => { registrationError = type; },
    dropEchoedAttribute: (name) => { droppedAttribute = name; },
    hangSubmits: (on) => { hang = on; },
    async close() {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
