// An HTTP proxy in front of a test registry that misbehaves on layer downloads the way a sick
// registry or network does: `stall` sends the headers and a first slice of each large blob, then
// nothing more (the connection stays open); `trickle` sends it slowly but steadily. Everything
// else (ping, manifests, small config blobs) passes through untouched.
import { createServer, request, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { freePort } from '../e2e/local-harness.ts';

export type ProxyMode = { kind: 'stall'; afterBytes: number } | { kind: 'trickle'; chunkBytes: number; everyMs: number };

export interface StallingProxy {
  host: string;
  close(): Promise<void>;
}

const LARGE = 256 * 1024;

export async function startStallingProxy(upstream: string, mode: ProxyMode): Promise<StallingProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const [upHost, upPort] = upstream.split(':');
  const server: Server = createServer((req, res) => {
    const up = request({ host: upHost, port: Number(upPort), method: req.method, path: req.url, headers: { ...req.headers, host: upstream } }, (upRes) => {
      const length = Number(upRes.headers['content-length'] ?? 0);
      const isLayer = req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '') && length > LARGE;
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      if (!isLayer) {
        upRes.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      upRes.on('data', (d: Buffer) => chunks.push(d));
      upRes.on('end', () => {
        const body = Buffer.concat(chunks);
        if (mode.kind === 'stall') {
          res.write(body.subarray(0, mode.afterBytes)); // …and never anything more
          return;
        }
        let offset = 0;
        const tick = (): void => {
          const next = body.subarray(offset, offset + mode.chunkBytes);
          offset += next.length;
          if (offset >= body.length) { res.end(next); return; }
          res.write(next);
          const t = setTimeout(tick, mode.everyMs);
          timers.add(t);
        };
        tick();
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${port}`,
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
