// The control plane's end of ACS: one websocket session per container instance. It pushes task
// payloads (and the tasks' IAM role credentials), heartbeats the agent and drops it when the acks
// stop, sends a TaskManifestMessage every manifestIntervalMs and answers the agent's stop
// verifications. Payloads and credentials are kept in the store until acked, so what was sent while
// the agent was away (or lost with a dropped socket, or with a control-plane restart) is re-sent
// when it reconnects.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeOutbound, encodeFrame, type AcsInbound, type AcsOutbound } from '../../protocol/acs-messages.ts';
import type { AcsTaskWithCredentials } from '../../protocol/acs-task-credentials.ts';
import { clusterArn as toClusterArn, clusterName, type ArnScope } from '../../protocol/arn.ts';
import type { ContainerInstanceRecord, TaskRecord } from '../model/records.ts';
import type { ControlPlaneStore } from '../store/control-plane-store.ts';
import { rejectUpgrade, upgradeSignatureProblem } from '../upgrade-auth.ts';
import { toAcsTask } from './acs-task.ts';
import { createCredentialsOutbox } from './credentials-outbox.ts';
import { frameReceived, heartbeatSent, newWatch, verdict, type HeartbeatWatch } from './heartbeat-watch.ts';
import { credentialRefs, credentialsFrame, rolesOf } from './role-credentials.ts';
import { agreedStopTasks, manifestTasks } from './task-manifest.ts';

export interface AcsGatewayOptions {
  store: ControlPlaneStore;
  logger: Logger;
  scope: ArnScope;
  heartbeatIntervalMs: number;
  /** No HeartbeatAckRequest (or no frame at all) for this long: the connection is closed. */
  heartbeatTimeoutMs: number;
  manifestIntervalMs: number;
  requireSignature: boolean;
  now: () => number;
}

export interface AcsGateway {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  isConnected(instanceArn: string): boolean;
  /** Sends the tasks (at their current desiredStatus) to the instance in one PayloadMessage,
   *  then the role credentials of those that should run. */
  pushTasks(instanceArn: string, tasks: TaskRecord[]): void;
  /** The instance was deregistered: a connected agent is told so (InactiveInstanceException). */
  instanceDeregistered(instanceArn: string): void;
  close(): Promise<void>;
}

interface Session {
  ws: WebSocket;
  timers: NodeJS.Timeout[];
  watch: HeartbeatWatch;
}

/** The real backend's first heartbeat comes about a second after connect (capture seq 18). */
const FIRST_HEARTBEAT_MS = 1000;
/** WebSocket close code 1008: policy violation (the agent broke the heartbeat contract). */
const CLOSE_POLICY = 1008;

export function createAcsGateway(o: AcsGatewayOptions): AcsGateway {
  const wss = new WebSocketServer({ noServer: true });
  const sessions = new Map<string, Session>();
  const credentials = createCredentialsOutbox(o.store);
  const log = o.logger.child({ component: 'acs' });

  function send(ws: WebSocket, frame: AcsInbound | string): void {
    ws.send(typeof frame === 'string' ? frame : encodeFrame(frame));
  }

  /** Forgets the session (the instance shows disconnected at once), then closes the socket. */
  function endSession(instanceArn: string, ws: WebSocket, close?: { code: number; reason: string }): void {
    const s = sessions.get(instanceArn);
    if (s && s.ws === ws) {
      for (const t of s.timers) clearTimeout(t);
      sessions.delete(instanceArn);
      log.info({ instanceArn, reason: close?.reason }, 'agent disconnected');
    }
    if (close && ws.readyState === ws.OPEN) {
      ws.close(close.code, close.reason);
      // A dead peer never completes the close handshake; don't wait ws's 30 s for it.
      setTimeout(() => ws.terminate(), 1000).unref();
    }
  }

  /** Sends an in-band exception (real ACS: `{"type":"<Name>Exception","message":{…}}`), then closes. */
  function refuse(ws: WebSocket, type: string, message: string, reason: string): void {
    send(ws, JSON.stringify({ type, message: { message } }));
    ws.close(CLOSE_POLICY, reason);
  }

  function clusterArnOf(instanceArn: string): string | undefined {
    const instance = o.store.getContainerInstance(instanceArn);
    return instance ? toClusterArn(o.scope, instance.clusterName) : undefined;
  }

  function sendManifest(instanceArn: string, ws: WebSocket): void {
    const instance = o.store.getContainerInstance(instanceArn);
    if (!instance) return;
    const cArn = toClusterArn(o.scope, instance.clusterName);
    const tasks = manifestTasks(o.store.listLiveTasksOn(instanceArn), instanceArn, (t) => toClusterArn(o.scope, t.clusterName));
    // timeline shares the payload seqNum counter (capture: payload 1, manifest 2, payload 3), so
    // the agent can tell a manifest older than a payload it already applied.
    const timeline = o.store.nextSeqNum(instanceArn);
    const messageId = randomUUID();
    send(ws, { type: 'TaskManifestMessage', message: { clusterArn: cArn, containerInstanceArn: instanceArn, messageId, generatedAt: Math.floor(o.now() / 1000), timeline, tasks } });
    log.debug({ instanceArn, messageId, timeline, tasks: tasks.length }, 'task manifest sent');
  }

  function checkLiveness(instanceArn: string, session: Session): void {
    const v = verdict(session.watch, o.now(), o.heartbeatTimeoutMs);
    switch (v.kind) {
      case 'alive':
        return;
      case 'heartbeat-unacked':
        log.warn({ instanceArn, messageId: v.messageId }, 'heartbeat not acknowledged in time; closing');
        return endSession(instanceArn, session.ws, { code: CLOSE_POLICY, reason: `HeartbeatMessage ${v.messageId} not acknowledged within ${o.heartbeatTimeoutMs} ms` });
      case 'silent':
        log.warn({ instanceArn }, 'agent silent too long; closing');
        return endSession(instanceArn, session.ws, { code: CLOSE_POLICY, reason: `nothing received within ${o.heartbeatTimeoutMs} ms` });
      default: {
        const never: never = v;
        throw new Error(`unhandled liveness verdict ${JSON.stringify(never)}`);
      }
    }
  }

  function startSession(ws: WebSocket, instanceArn: string): void {
    const previous = sessions.get(instanceArn);
    if (previous) endSession(instanceArn, previous.ws, { code: 1000, reason: 'replaced by a newer connection' });
    const session: Session = { ws, timers: [], watch: newWatch(o.now()) };
    const heartbeat = () => {
      const messageId = randomUUID();
      session.watch = heartbeatSent(session.watch, messageId, o.now());
      send(ws, { type: 'HeartbeatMessage', message: { healthy: true, messageId } });
    };
    session.timers.push(setTimeout(() => {
      heartbeat();
      session.timers.push(setInterval(heartbeat, o.heartbeatIntervalMs));
    }, Math.min(FIRST_HEARTBEAT_MS, o.heartbeatIntervalMs)));
    session.timers.push(setInterval(() => sendManifest(instanceArn, ws), o.manifestIntervalMs));
    // Check often enough that a dead agent is dropped within about a tenth past the timeout.
    session.timers.push(setInterval(() => checkLiveness(instanceArn, session), Math.max(5, Math.floor(o.heartbeatTimeoutMs / 10))));
    sessions.set(instanceArn, session);
    log.info({ instanceArn }, 'agent connected');

    ws.on('message', (data) => onFrame(instanceArn, session, data as Buffer));
    ws.on('close', () => endSession(instanceArn, ws));
    ws.on('error', (err) => log.warn({ instanceArn, err }, 'ACS socket error'));

    for (const p of o.store.listPendingPayloads(instanceArn)) {
      log.info({ instanceArn, messageId: p.messageId }, 're-sending unacknowledged payload');
      send(ws, p.frame);
    }
    for (const c of credentials.pending(instanceArn)) send(ws, c.frame);
  }

  function onFrame(instanceArn: string, session: Session, data: Buffer): void {
    let frame;
    try {
      frame = decodeOutbound(data);
    } catch (err) {
      log.warn({ instanceArn, err }, 'undecodable ACS frame');
      session.watch = frameReceived(session.watch, o.now());
      return;
    }
    const acked = !('unknown' in frame) && frame.type === 'HeartbeatAckRequest' ? frame.message.messageId : undefined;
    session.watch = frameReceived(session.watch, o.now(), acked);
    if ('unknown' in frame) {
      log.warn({ instanceArn, type: frame.type }, 'unknown ACS frame type');
      return;
    }
    handleFrame(instanceArn, session.ws, frame);
  }

  function handleFrame(instanceArn: string, ws: WebSocket, frame: AcsOutbound): void {
    switch (frame.type) {
      case 'AckRequest':
        // Acks of manifests name no pending payload: nothing else is removed.
        if (o.store.removePendingPayload(instanceArn, frame.message.messageId)) {
          log.debug({ instanceArn, messageId: frame.message.messageId }, 'payload acknowledged');
        }
        return;
      case 'HeartbeatAckRequest':
        return; // recorded by the heartbeat watch
      case 'TaskStopVerificationMessage': {
        const stopTasks = agreedStopTasks(frame.message.stopCandidates ?? [], (arn) => o.store.getTask(arn));
        send(ws, { type: 'TaskStopVerificationAck', message: { generatedAt: Math.floor(o.now() / 1000), messageId: frame.message.messageId, stopTasks } });
        log.info({ instanceArn, candidates: frame.message.stopCandidates?.length ?? 0, stop: stopTasks.map((t) => t.taskArn) }, 'task stop verification answered');
        return;
      }
      case 'IAMRoleCredentialsAckRequest': {
        const known = credentials.ack(instanceArn, frame.message.messageId, frame.message.credentialsId);
        log.debug({ instanceArn, messageId: frame.message.messageId, credentialsId: frame.message.credentialsId, known }, 'role credentials acknowledged');
        return;
      }
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
    // Real ACS accepts the socket, then says why in-band; the agent then re-registers or backs off.
    if (instance && instance.clusterName === cluster && instance.status === 'INACTIVE') {
      log.warn({ instanceArn }, 'ACS connection for a deregistered container instance');
      return refuse(ws, 'InactiveInstanceException', `Container instance ${instanceArn} is inactive (deregistered).`, 'inactive instance');
    }
    if (!instance || instance.status === 'INACTIVE' || instance.clusterName !== cluster) { // DRAINING agents stay connected
      log.warn({ instanceArn, cluster }, 'ACS connection for an unknown container instance');
      return refuse(ws, 'InvalidInstanceException', `Container instance ${instanceArn} is not registered in cluster ${cluster}.`, 'invalid instance');
    }
    rememberVersionInfo(instance, q);
    startSession(ws, instanceArn);
  }

  /** The real agent sends no versionInfo at registration; ECS learns it from the ACS query. */
  function rememberVersionInfo(instance: ContainerInstanceRecord, q: URLSearchParams): void {
    const versionInfo = { agentVersion: q.get('agentVersion') ?? '', agentHash: q.get('agentHash') ?? '', dockerVersion: q.get('dockerVersion') ?? '' };
    if (!versionInfo.agentVersion) return;
    const same = instance.versionInfo && JSON.stringify(instance.versionInfo) === JSON.stringify(versionInfo);
    if (!same) o.store.putContainerInstance({ ...instance, versionInfo });
  }

  function sendCredentials(instanceArn: string, task: TaskRecord, roles: ReturnType<typeof rolesOf>): void {
    const session = sessions.get(instanceArn);
    for (const role of roles) {
      const credentialsId = credentials.idFor(task.arn, role.roleType);
      const frame = credentialsFrame({ taskArn: task.arn, role, credentialsId, now: o.now() });
      const text = encodeFrame(frame);
      credentials.add(instanceArn, { messageId: frame.message.messageId, taskArn: task.arn, credentialsId, frame: text });
      if (session) send(session.ws, text);
    }
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
      const cArn = clusterArnOf(instanceArn);
      if (!cArn) throw new Error(`no container instance ${instanceArn}`);
      const withRoles = tasks.map((task) => {
        const ref = task.taskDefinitionArn.slice(task.taskDefinitionArn.lastIndexOf('/') + 1);
        const [family = '', revision = '0'] = ref.split(':');
        const taskDefinition = o.store.getTaskDefinition(family, Number(revision));
        if (!taskDefinition) throw new Error(`task ${task.arn} refers to missing ${task.taskDefinitionArn}`);
        const roles = task.desiredStatus === 'RUNNING' ? rolesOf(taskDefinition.definition) : [];
        if (task.desiredStatus === 'STOPPED') credentials.forget(instanceArn, task.arn);
        const refs = credentialRefs(roles.map((r) => ({ ...r, credentialsId: credentials.idFor(task.arn, r.roleType) })));
        const acsTask: AcsTaskWithCredentials = { ...toAcsTask({ task, taskDefinition, clusterArn: cArn, accountId: o.scope.accountId }), ...refs };
        return { task, roles, acsTask };
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
          tasks: withRoles.map((t) => t.acsTask),
        },
      });
      o.store.addPendingPayload(instanceArn, { messageId, frame });
      const session = sessions.get(instanceArn);
      if (session) send(session.ws, frame);
      // After the payload, as real ECS does: the agent knows the task before its credentials.
      for (const t of withRoles) if (t.roles.length) sendCredentials(instanceArn, t.task, t.roles);
      log.info({ instanceArn, messageId, tasks: tasks.map((t) => `${t.arn}:${t.desiredStatus}`), sent: !!session }, 'payload queued');
    },
    instanceDeregistered(instanceArn) {
      const session = sessions.get(instanceArn);
      if (!session) return;
      send(session.ws, JSON.stringify({ type: 'InactiveInstanceException', message: { message: `Container instance ${instanceArn} was deregistered.` } }));
      endSession(instanceArn, session.ws, { code: CLOSE_POLICY, reason: 'inactive instance' });
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
