// What the agent does with each ACS frame. One exhaustive switch over the message union; the
// session passes in the edges (send, task sink, seqNum memory), so this file does no I/O itself.
import type { Logger } from 'pino';
import type { AcsInbound, AcsOutbound, AcsTask, TaskIdentifier, UnknownFrame } from '../../protocol/acs-messages.ts';
import { assertNever } from './connection-state.ts';
import type { TaskCredentialsStore } from '../credentials/task-credentials.ts';

/** Where accepted tasks go: the task engine. */
export interface AcsTaskSink {
  applyTask(task: AcsTask): void;
  /** Tasks the agent runs, with their desired status. */
  knownTasks(): Array<{ taskArn: string; desiredStatus: 'RUNNING' | 'STOPPED' }>;
  /** Moves a known task's desired status to STOPPED. */
  stopTask(taskArn: string): void;
}

export interface AcsHandlerContext {
  tasks: AcsTaskSink;
  send(frame: AcsOutbound): void;
  /** Highest PayloadMessage seqNum seen (persisted by the session). */
  lastSeqNum(): number;
  setLastSeqNum(n: number): void;
  logger: Logger;
  /** The server asked us to go away, or sent an error: the session reconnects. */
  reconnect(reason: string, opts?: { inactive?: boolean }): void;
  newMessageId(): string;
  /** Where pushed task role credentials are kept (memory only). */
  credentials?: TaskCredentialsStore;
}

export function handleAcsFrame(frame: AcsInbound | UnknownFrame, ctx: AcsHandlerContext): void {
  if ('unknown' in frame) {
    if (frame.type.endsWith('Exception')) {
      const message = (frame.message as { message?: string }).message ?? '';
      ctx.logger.error({ type: frame.type, message }, 'ACS sent an error');
      ctx.reconnect(`${frame.type}: ${message}`, { inactive: frame.type === 'InactiveInstanceException' });
    } else {
      ctx.logger.warn({ type: frame.type }, 'ignoring ACS message of unknown type');
    }
    return;
  }
  switch (frame.type) {
    case 'PayloadMessage': {
      const m = frame.message;
      // The real agent applies STOPPED tasks first so that their resources free up before new
      // tasks of the same payload start.
      const ordered = [...(m.tasks ?? [])].sort((a, b) => rank(a) - rank(b));
      for (const task of ordered) {
        ctx.tasks.applyTask(task);
        // A task told to stop needs its role credentials no more: drop them from memory.
        if (task.desiredStatus === 'STOPPED') ctx.credentials?.removeTask(task.arn);
      }
      if (typeof m.seqNum === 'number' && m.seqNum > ctx.lastSeqNum()) ctx.setLastSeqNum(m.seqNum);
      ctx.send({ type: 'AckRequest', message: { cluster: m.clusterArn, containerInstance: m.containerInstanceArn, messageId: m.messageId } });
      ctx.logger.info({ messageId: m.messageId, seqNum: m.seqNum, tasks: ordered.map((t) => `${t.arn}:${t.desiredStatus}`) }, 'payload accepted');
      return;
    }
    case 'HeartbeatMessage':
      if (frame.message.messageId) ctx.send({ type: 'HeartbeatAckRequest', message: { messageId: frame.message.messageId } });
      return;
    case 'TaskManifestMessage': {
      const m = frame.message;
      ctx.send({ type: 'AckRequest', message: { cluster: m.clusterArn, containerInstance: m.containerInstanceArn, messageId: m.messageId } });
      if (m.timeline <= ctx.lastSeqNum()) {
        // Older than a payload we already applied: acting on it could stop a task that payload started.
        ctx.logger.debug({ timeline: m.timeline, seqNum: ctx.lastSeqNum() }, 'dropping stale task manifest');
        return;
      }
      reconcileManifest(m.tasks ?? [], ctx);
      return;
    }
    case 'TaskStopVerificationAck':
      // ACS confirmed which of our candidates really should stop: only those are stopped.
      for (const t of frame.message.stopTasks ?? []) {
        if (ctx.tasks.knownTasks().some((k) => k.taskArn === t.taskArn)) ctx.tasks.stopTask(t.taskArn);
      }
      ctx.logger.info({ stopTasks: (frame.message.stopTasks ?? []).map((t) => t.taskArn) }, 'task stop verification acknowledged');
      return;
    case 'IAMRoleCredentialsMessage': {
      const m = frame.message;
      // Never log the credentials themselves.
      ctx.credentials?.put(m.taskArn, m.roleType, m.roleCredentials);
      ctx.logger.info({ taskArn: m.taskArn, roleType: m.roleType, credentialsId: m.roleCredentials?.credentialsId }, 'task credentials received');
      ctx.send({
        type: 'IAMRoleCredentialsAckRequest',
        message: { messageId: m.messageId, expiration: m.roleCredentials?.expiration, credentialsId: m.roleCredentials?.credentialsId },
      });
      return;
    }
    case 'CloseMessage':
      ctx.reconnect(`ACS closed the session: ${frame.message.message ?? ''}`);
      return;
    case 'ErrorMessage':
      ctx.logger.error({ message: frame.message.message }, 'ACS error message');
      ctx.reconnect(`ACS error: ${frame.message.message ?? ''}`);
      return;
    default:
      assertNever(frame);
  }
}

/**
 * A manifest lists every task ACS believes this instance runs. Tasks it marks STOPPED are stopped at
 * once; tasks we run that it does not list are only candidates: we ask ACS to confirm
 * (TaskStopVerificationMessage) before stopping them, as the real agent does.
 */
function reconcileManifest(listed: TaskIdentifier[], ctx: AcsHandlerContext): void {
  const byArn = new Map(listed.map((t) => [t.taskArn, t]));
  const candidates: TaskIdentifier[] = [];
  for (const known of ctx.tasks.knownTasks()) {
    if (known.desiredStatus === 'STOPPED') continue;
    const entry = byArn.get(known.taskArn);
    if (entry?.desiredStatus === 'STOPPED') ctx.tasks.stopTask(known.taskArn);
    else if (!entry) candidates.push({ taskArn: known.taskArn });
  }
  if (candidates.length > 0) {
    ctx.send({ type: 'TaskStopVerificationMessage', message: { messageId: ctx.newMessageId(), stopCandidates: candidates } });
  }
}

function rank(task: AcsTask): number {
  return task.desiredStatus === 'STOPPED' ? 0 : 1;
}
