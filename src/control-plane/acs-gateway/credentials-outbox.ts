// Which IAMRoleCredentialsMessages an instance has not acknowledged yet, and the credentialsId of
// each task role. Like payloads, credentials sent while the agent is away (or lost with a dropped
// socket) are re-sent when it reconnects, until the agent's IAMRoleCredentialsAckRequest names
// them. Kept in memory: credentials are throwaway and re-made on every payload.
import { randomUUID } from 'node:crypto';
import type { AcsRoleType } from '../../protocol/acs-task-credentials.ts';

interface PendingCredentials {
  messageId: string;
  taskArn: string;
  credentialsId: string;
  /** The exact frame as first sent, so that a resend is byte-identical. */
  frame: string;
}

export interface CredentialsOutbox {
  /** The task role's credentialsId, made on first use and stable for the task's life. */
  idFor(taskArn: string, roleType: AcsRoleType): string;
  add(instanceArn: string, entry: PendingCredentials): void;
  /** The agent's ack: true when it named a pending message (and its credentialsId matched). */
  ack(instanceArn: string, messageId: string, credentialsId: string | undefined): boolean;
  pending(instanceArn: string): PendingCredentials[];
  /** The task stopped: its credentials are never sent again. */
  forget(instanceArn: string, taskArn: string): void;
}

export function createCredentialsOutbox(): CredentialsOutbox {
  const ids = new Map<string, string>();
  const pending = new Map<string, PendingCredentials[]>();
  return {
    idFor(taskArn, roleType) {
      const key = `${taskArn}|${roleType}`;
      let id = ids.get(key);
      if (!id) ids.set(key, (id = randomUUID()));
      return id;
    },
    add(instanceArn, entry) {
      pending.set(instanceArn, [...(pending.get(instanceArn) ?? []), entry]);
    },
    ack(instanceArn, messageId, credentialsId) {
      const list = pending.get(instanceArn) ?? [];
      const index = list.findIndex((p) => p.messageId === messageId && (credentialsId === undefined || p.credentialsId === credentialsId));
      if (index < 0) return false;
      list.splice(index, 1);
      return true;
    },
    pending: (instanceArn) => [...(pending.get(instanceArn) ?? [])],
    forget(instanceArn, taskArn) {
      pending.set(instanceArn, (pending.get(instanceArn) ?? []).filter((p) => p.taskArn !== taskArn));
      for (const key of [...ids.keys()]) if (key.startsWith(`${taskArn}|`)) ids.delete(key);
    },
  };
}
