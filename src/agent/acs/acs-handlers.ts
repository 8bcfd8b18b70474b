// What the agent does with each ACS frame. One exhaustive switch over the message union; the
// session passes in the edges (send, task sink, seqNum memory), so this file does no I/O itself.
import type { Logger } from 'pino';
import type { AcsInbound, AcsOutbound, AcsTask, UnknownFrame } from '../../protocol/acs-messages.ts';
import { assertNever } from './connection-state.ts';

/** Where accepted tasks go: the task engine. */
export interface AcsTaskSink {
  applyTask(task: AcsTask): void;
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
      for (const task of ordered) ctx.tasks.applyTask(task);
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
      }
      return;
    }
    case 'TaskStopVerificationAck':
      ctx.logger.debug({ messageId: frame.message.messageId }, 'task stop verification ack');
      return;
    case 'IAMRoleCredentialsMessage': {
      const m = frame.message;
      // Never log the credentials themselves.
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

function rank(task: AcsTask): number {
  return task.desiredStatus === 'STOPPED' ? 0 : 1;
}
