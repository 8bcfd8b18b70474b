// A pass-through proxy in front of the Docker socket, so the moment a client *issues* a call is
// seen on the wire: the agent (DOCKER_HOST=unix://<proxy>) and the raw dockerode client both talk
// to Docker through it, so both pay the same extra hop. Only the client→daemon direction is read,
// and only enough to find where each request starts and what it creates:
//   dockerreq:create:<taskArn>   (agent containers, from the ECS task-arn label in the body)
//   dockerreq:create:<name>      (raw containers, from ?name=)
//   dockerreq:start:<containerId>
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Timeline } from './timeline.ts';
import { TASK_ARN_LABEL } from './raw-docker.ts';

const HEAD_END = Buffer.from('\r\n\r\n');

interface Pending {
  at: number;
  method: string;
  path: string;
  /** Body bytes still to come (Content-Length), or -1 for a chunked body. */
  remaining: number;
  body: Buffer[];
}

/** Reads one connection's requests as they stream by; calls `onRequest` with each complete one. */
function requestReader(onRequest: (r: Pending, body: Buffer) => void): (chunk: Buffer, at: number) => void {
  let buffered: Buffer = Buffer.alloc(0);
  let current: Pending | undefined;
  return (chunk, at) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    for (;;) {
      if (!current) {
        const end = buffered.indexOf(HEAD_END);
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString('latin1');
        buffered = buffered.subarray(end + HEAD_END.length);
        const [method = '', path = ''] = head.slice(0, head.indexOf('\r\n')).split(' ');
        const length = /^content-length:\s*(\d+)/im.exec(head);
        const chunked = /^transfer-encoding:\s*chunked/im.test(head);
        current = { at, method, path, remaining: length ? Number(length[1]) : chunked ? -1 : 0, body: [] };
      }
      if (current.remaining > 0) {
        const take = buffered.subarray(0, current.remaining);
        current.body.push(take);
        current.remaining -= take.length;
        buffered = buffered.subarray(take.length);
        if (current.remaining > 0) return;
      } else if (current.remaining === -1) {
        // Chunked bodies only come with calls we do not inspect: skip to the terminating chunk.
        const end = buffered.indexOf('0\r\n\r\n');
        if (end < 0) return;
        buffered = buffered.subarray(end + 5);
      }
      onRequest(current, Buffer.concat(current.body));
      current = undefined;
    }
  };
}

function record(timeline: Timeline, r: Pending, body: Buffer): void {
  if (r.method !== 'POST') return;
  const url = new URL(r.path, 'http://docker');
  const start = /\/containers\/([^/]+)\/start$/.exec(url.pathname);
  if (start) return timeline.mark(`dockerreq:start:${start[1]}`, r.at);
  if (!url.pathname.endsWith('/containers/create')) return;
  let labels: Record<string, string> = {};
  try {
    labels = (JSON.parse(body.toString('utf8')) as { Labels?: Record<string, string> }).Labels ?? {};
  } catch {
    // not JSON: nothing to attribute it to
  }
  const taskArn = labels[TASK_ARN_LABEL];
  if (taskArn) timeline.mark(`dockerreq:create:${taskArn}`, r.at);
  const name = url.searchParams.get('name');
  if (name) timeline.mark(`dockerreq:create:${name}`, r.at);
}

export async function startDockerProxy(o: { path: string; upstream: string; timeline: Timeline }): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(o.upstream);
    sockets.add(client).add(upstream);
    const read = requestReader((r, body) => record(o.timeline, r, body));
    // Timestamp before forwarding: the mark is when the bytes reached the proxy.
    client.on('data', (chunk: Buffer) => read(chunk, performance.now()));
    client.pipe(upstream);
    upstream.pipe(client);
    const done = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(o.path, () => resolve()));
  return {
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
