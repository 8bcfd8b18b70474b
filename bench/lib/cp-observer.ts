// Wire-level observation of the control plane when it runs inside the bench process, without
// touching its code: every websocket send goes through ws's WebSocket.prototype.send, and every
// HTTP request is announced on Node's `http.server.request.start` diagnostics channel as soon as
// its headers are parsed. From those we mark, on the bench's clock:
//   payload:<desiredStatus>:<taskArn>   the PayloadMessage was handed to the agent's socket
//   request:<Operation>:<taskArn>      an ECS API call about that task arrived (StopTask, …)
//   report:<status>:<taskArn>          SubmitTaskStateChange with that status arrived
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { ECS_TARGET_PREFIX } from '../../src/protocol/ecs-wire.ts';
import type { Timeline } from './timeline.ts';

const PAYLOAD_PREFIX = '{"type":"PayloadMessage"';
const WATCHED_OPERATIONS = new Set(['SubmitTaskStateChange', 'StopTask']);

interface PayloadFrame {
  message: { tasks: Array<{ arn: string; desiredStatus: string }> };
}

type Send = (this: WebSocket, data: unknown, ...rest: unknown[]) => void;

export function observeControlPlane(timeline: Timeline): () => void {
  const proto = WebSocket.prototype as unknown as { send: Send };
  const originalSend = proto.send;
  proto.send = function send(this: WebSocket, data: unknown, ...rest: unknown[]) {
    const at = performance.now();
    originalSend.call(this, data, ...rest);
    // Parsed after the real send, so observing never delays the frame itself.
    if (typeof data === 'string' && data.startsWith(PAYLOAD_PREFIX)) {
      const frame = JSON.parse(data) as PayloadFrame;
      for (const t of frame.message.tasks) timeline.mark(`payload:${t.desiredStatus}:${t.arn}`, at);
    }
  };

  const onRequest = (message: unknown) => {
    const at = performance.now();
    const req = (message as { request: IncomingMessage }).request;
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith(`${ECS_TARGET_PREFIX}.`) ? target.slice(ECS_TARGET_PREFIX.length + 1) : '';
    if (!WATCHED_OPERATIONS.has(op)) return;
    // The handler reads the body itself; we only see the chunks go by (read() emits 'data').
    const chunks: Buffer[] = [];
    const emit = req.emit;
    req.emit = function observedEmit(this: IncomingMessage, event: string | symbol, ...args: unknown[]) {
      if (event === 'data') chunks.push(Buffer.from(args[0] as Buffer));
      if (event === 'end') record(op, at, Buffer.concat(chunks).toString('utf8'));
      return emit.call(this, event, ...args);
    } as typeof req.emit;
  };
  const record = (op: string, at: number, text: string) => {
    let body: { task?: string; status?: string };
    try {
      body = JSON.parse(text) as { task?: string; status?: string };
    } catch {
      return;
    }
    if (op === 'SubmitTaskStateChange' && body.task && body.status) timeline.mark(`report:${body.status}:${body.task}`, at);
    else if (body.task) timeline.mark(`request:${op}:${body.task}`, at);
  };
  subscribe('http.server.request.start', onRequest);

  return () => {
    proto.send = originalSend;
    unsubscribe('http.server.request.start', onRequest);
  };
}
