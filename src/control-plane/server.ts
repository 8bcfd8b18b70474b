// One node:http server on one port: the ECS JSON API on `POST /`, ACS websockets on /acs/ws and
// TCS websockets on /tcs/ws. One port keeps the agent's configuration to a single endpoint.
//
// Plus one Dockhand-specific, read-only, unsigned endpoint (real ECS has no equivalent; it sends
// telemetry to CloudWatch): GET /dockhand/telemetry[?containerInstance=<arn>] answers
//   {"instances": {"<containerInstanceArn>": {
//      "cluster": "…", "lastMetricsAt": <epoch s | null>, "idle": <bool | null>,
//      "tasks": [<latest TaskMetric per task, as the agent sent it> + "receivedAt"],
//      "instanceStatus": {"statuses": […], "timestamp": …, "receivedAt": …} | null,
//      "health": {"tasks": [<latest TaskHealth per task>], "receivedAt": …} | null }}}
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AcsGateway } from './acs-gateway/acs-gateway.ts';
import type { TcsSink } from './tcs-sink.ts';
import { rejectUpgrade } from './upgrade-auth.ts';

export interface ServerParts {
  api: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>;
  acs: Pick<AcsGateway, 'handleUpgrade'>;
  tcs: Pick<TcsSink, 'handleUpgrade'>;
  /** The body of GET /dockhand/telemetry. */
  telemetry: (instanceArn: string | undefined) => unknown;
}

export function createControlPlaneServer(parts: ServerParts): Server {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (req.method === 'POST' && path === '/') {
      void parts.api(req, res);
      return;
    }
    if (req.method === 'GET' && path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (req.method === 'GET' && path === '/dockhand/telemetry') {
      const body = JSON.stringify(parts.telemetry(url.searchParams.get('containerInstance') ?? undefined));
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `No route for ${req.method} ${path}` }));
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/acs/ws') parts.acs.handleUpgrade(req, socket, head);
    else if (path === '/tcs/ws') parts.tcs.handleUpgrade(req, socket, head);
    else rejectUpgrade(socket, 404, 'Not Found', `No websocket endpoint at ${path}`);
  });
  return server;
}

export async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
