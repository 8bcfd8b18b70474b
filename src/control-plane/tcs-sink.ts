// The telemetry endpoint. It accepts what agents publish (metrics, instance status, task health),
// acks each frame as real TCS does, heartbeats the agent (it reconnects when TCS goes quiet), and
// hands each frame to the telemetry store, which keeps the latest per instance and per task
// (read back through GET /dockhand/telemetry and DescribeTasks' healthStatus).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { splitTcsFrame, type TcsInbound, type TcsOutbound } from '../protocol/tcs-frames.ts';
import type { TelemetryStore } from './telemetry-store.ts';
import { rejectUpgrade, signatureProblem, upgradeSignatureProblem } from './upgrade-auth.ts';

export interface TcsSink {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

export function createTcsSink(o: { logger: Logger; heartbeatIntervalMs: number; requireSignature: boolean; now: () => number; telemetry: TelemetryStore }): TcsSink {
  const wss = new WebSocketServer({ noServer: true });
  const log = o.logger.child({ component: 'tcs' });
  const sockets = new Set<WebSocket>();

  function reply(ws: WebSocket, frame: TcsInbound): void {
    ws.send(JSON.stringify(frame));
  }

  function onFrame(ws: WebSocket, queryInstance: string, raw: string): void {
    const { headers, json } = splitTcsFrame(raw);
    if (o.requireSignature) {
      const problem = signatureProblem(headers.authorization);
      if (problem) {
        log.warn({ problem }, 'unsigned TCS frame dropped');
        return;
      }
    }
    let frame: TcsOutbound;
    try {
      frame = JSON.parse(json) as TcsOutbound;
    } catch {
      log.warn('TCS frame is not JSON');
      return;
    }
    if (typeof frame?.message !== 'object' || frame.message === null) {
      log.warn({ type: frame?.type }, 'TCS frame without a message');
      return;
    }
    const instanceArn = frame.message.metadata?.containerInstance || queryInstance;
    const at = o.now();
    switch (frame.type) {
      case 'PublishMetricsRequest':
        o.telemetry.recordMetrics(instanceArn, frame.message, at);
        return reply(ws, { type: 'AckPublishMetric', message: { message: '' } });
      case 'PublishInstanceStatusRequest':
        o.telemetry.recordInstanceStatus(instanceArn, frame.message, at);
        return reply(ws, { type: 'AckPublishInstanceStatus', message: { message: '' } });
      case 'PublishHealthRequest':
        o.telemetry.recordHealth(instanceArn, frame.message, at);
        return reply(ws, { type: 'AckPublishHealth', message: { message: '' } });
      default: {
        const unknown: never = frame;
        log.warn({ type: (unknown as { type?: unknown }).type }, 'unknown TCS frame type');
      }
    }
  }

  return {
    handleUpgrade(req, socket, head) {
      if (o.requireSignature) {
        const problem = upgradeSignatureProblem(req);
        if (problem) return rejectUpgrade(socket, 403, 'Forbidden', problem);
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const instanceArn = new URL(req.url ?? '/', 'http://localhost').searchParams.get('containerInstance') ?? '';
        sockets.add(ws);
        const timer = setInterval(() => reply(ws, { type: 'HeartbeatMessage', message: { healthy: true } }), o.heartbeatIntervalMs);
        ws.on('message', (data) => onFrame(ws, instanceArn, String(data)));
        ws.on('close', () => {
          clearInterval(timer);
          sockets.delete(ws);
        });
        ws.on('error', (err) => log.warn({ err }, 'TCS socket error'));
        log.info({ instanceArn }, 'telemetry connected');
      });
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
