// The control plane's end of ACS: one websocket session per container instance. It pushes task
// payloads, heartbeats the agent, and keeps every payload until the agent acks it, so a payload
// sent while the agent was away (or lost with a dropped socket) is re-sent when it reconnects.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeOutbound, encodeFrame, type AcsInbound, type AcsTask } from '../../protocol/acs-messages.ts';
import { clusterArn as toClusterArn, clusterName, type ArnScope } from '../../protocol/arn.ts';
import type { TaskRecord } from '../model/records.ts';
import type { ControlPlaneStore } from '../store/control-plane-store.ts';
import { rejectUpgrade, upgradeSignatureProblem } from '../upgrade-auth.ts';
import { toAcsTask } from './acs-task.ts';

export interface AcsGatewayOptions {
  store: ControlPlaneStore;
  logger: Logger;
  scope: ArnScope;
  heartbeatIntervalMs: number;
  requireSignature: boolean;
  now: () => number;
}

export interface AcsGateway {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  isConnected(instanceArn: string): boolean;
  /** Sends the tasks (at their current desiredStatus) to the instance in one PayloadMessage. */
  pushTasks(instanceArn: string, tasks: TaskRecord[]): void;
  close(): Promise<void>;
}

interface Session {
  ws: WebSocket;
  timers: NodeJS.Timeout[];
}

/** The real backend's first heartbeat comes about a second after connect (capture seq 18). */
const FIRST_HEARTBEAT_MS = 1000;

export function createAcsGateway(o: AcsGatewayOptions): AcsGateway {
  const wss = new WebSocketServer({ noServer: true });
  const sessions = new Map<string, Session>();
  const log = o.logger.child({ component: 'acs' });

  function send(ws: WebSocket, frame: AcsInbound | string): void {
    ws.send(typeof frame === 'string' ? frame : encodeFrame(frame));
  }

  function endSession(instanceArn: string, ws: WebSocket): void {
    const s = sessions.get(instanceArn);
    if (!s || s.ws !== ws) return; // already replaced by a newer connection
    for (const t of s.timers) clearTimeout(t);
    sessions.delete(instanceArn);
    log.info({ instanceArn }, 'agent disconnected');
  }

  function startSession(ws: WebSocket, instanceArn: string): void {
    const previous = sessions.get(instanceArn);
    if (previous) {
      for (const t of previous.timers) clearTimeout(t);
      sessions.delete(instanceArn);
      previous.ws.close(1000, 'replaced by a newer connection');
    }
    const heartbeat = () => send(ws, { type: 'HeartbeatMessage', message: { healthy: true, messageId: randomUUID() } });
    const session: Session = { ws, timers: [] };
    session.timers.push(setTimeout(() => {
      heartbeat();
      session.timers.push(setInterval(heartbeat, o.heartbeatIntervalMs));
    }, Math.min(FIRST_HEARTBEAT_MS, o.heartbeatIntervalMs)));
    sessions.set(instanceArn, session);
    log.info({ instanceArn }, 'agent connected');

    ws.on('message', (data) => onFrame(instanceArn, data as Buffer));
    ws.on('close', () => endSession(instanceArn, ws));
    ws.on('error', (err) => log.warn({ instanceArn, err }, 'ACS socket error'));

    for (const p of o.store.listPendingPayloads(instanceArn)) {
      log.info({ instanceArn, messageId: p.messageId }, 're-sending unacknowledged payload');
      send(ws, p.frame);
    }
  }

  function onFrame(instanceArn: string, data: Buffer): void {
    let frame;
    try {
      frame = decodeOutbound(data);
    } catch (err) {
      log.warn({ instanceArn, err }, 'undecodable ACS frame');
      return;
    }
    if ('unknown' in frame) {
      log.warn({ instanceArn, type: frame.type }, 'unknown ACS frame type');
      return;
    }
    switch (frame.type) {
      case 'AckRequest':
        if (o.store.removePendingPayload(instanceArn, frame.message.messageId)) {
          log.debug({ instanceArn, messageId: frame.message.messageId }, 'payload acknowledged');
        }
        return;
      case 'HeartbeatAckRequest':
      case 'TaskStopVerificationMessage':
      case 'IAMRoleCredentialsAckRequest':
        log.debug({ instanceArn, type: frame.type }, 'ACS frame');
        return;
      default: {
        const never: never = frame;
        log.warn({ frame: never }, 'unhandled ACS frame');
      }
    }
  }

  function onConnection(ws: WebSocket, req: IncomingMessage): void {
    const q = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const instanceArn = q.get('containerInstanceArn') ?? '';
    const cluster = clusterName(q.get('clusterArn') ?? '');
    const instance = o.store.getContainerInstance(instanceArn);
    if (!instance || instance.status !== 'ACTIVE' || instance.clusterName !== cluster) {
      // Real ACS accepts the socket, then says why in-band; the agent then re-registers or backs off.
      log.warn({ instanceArn, cluster }, 'ACS connection for an unknown container instance');
      send(ws, `{"type":"InvalidInstanceException","message":{"message":${JSON.stringify(`Container instance ${instanceArn} is not registered in cluster ${cluster}.`)}}}`);
      ws.close(1008, 'invalid instance');
      return;
    }
    startSession(ws, instanceArn);
  }

  return {
    handleUpgrade(req, socket, head) {
      if (o.requireSignature) {
        const problem = upgradeSignatureProblem(req);
        if (problem) return rejectUpgrade(socket, 403, 'Forbidden', problem);
      }
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req));
    },
    isConnected: (instanceArn) => sessions.has(instanceArn),
    pushTasks(instanceArn, tasks) {
      const instance = o.store.getContainerInstance(instanceArn);
      if (!instance) throw new Error(`no container instance ${instanceArn}`);
      const cArn = toClusterArn(o.scope, instance.clusterName);
      const acsTasks: AcsTask[] = tasks.map((task) => {
        const ref = task.taskDefinitionArn.slice(task.taskDefinitionArn.lastIndexOf('/') + 1);
        const [family = '', revision = '0'] = ref.split(':');
        const taskDefinition = o.store.getTaskDefinition(family, Number(revision));
        if (!taskDefinition) throw new Error(`task ${task.arn} refers to missing ${task.taskDefinitionArn}`);
        return toAcsTask({ task, taskDefinition, clusterArn: cArn, accountId: o.scope.accountId });
      });
      const messageId = randomUUID();
      const frame = encodeFrame({
        type: 'PayloadMessage',
        message: {
          clusterArn: cArn,
          containerInstanceArn: instanceArn,
          messageId,
          generatedAt: Math.floor(o.now() / 1000),
          seqNum: o.store.nextSeqNum(instanceArn),
          tasks: acsTasks,
        },
      });
      o.store.addPendingPayload(instanceArn, { messageId, frame });
      const session = sessions.get(instanceArn);
      if (session) send(session.ws, frame);
      log.info({ instanceArn, messageId, tasks: tasks.map((t) => `${t.arn}:${t.desiredStatus}`), sent: !!session }, 'payload queued');
    },
    async close() {
      for (const [arn, s] of sessions) {
        for (const t of s.timers) clearTimeout(t);
        s.ws.terminate();
        sessions.delete(arn);
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
