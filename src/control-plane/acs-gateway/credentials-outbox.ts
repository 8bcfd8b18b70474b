// Which IAMRoleCredentialsMessages an instance has not acknowledged yet, and the credentialsId of
// each task role. Like payloads, credentials sent while the agent is away (or lost with a dropped
// socket, or with a control-plane restart) are re-sent when it reconnects, until the agent's
// IAMRoleCredentialsAckRequest names them. Kept in the store, so that a task's credentialsId (which
// its payload already told the agent) stays the same across a restart.
import { randomUUID } from 'node:crypto';
import type { AcsRoleType } from '../../protocol/acs-task-credentials.ts';
import type { PendingCredentials } from '../model/records.ts';
import type { ControlPlaneStore } from '../store/control-plane-store.ts';

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

type CredentialsStore = Pick<ControlPlaneStore,
  'getCredentialsId' | 'putCredentialsId' | 'addPendingCredentials' | 'removePendingCredentials' | 'listPendingCredentials' | 'forgetTaskCredentials'>;

export function createCredentialsOutbox(store: CredentialsStore): CredentialsOutbox {
  return {
    idFor(taskArn, roleType) {
      let id = store.getCredentialsId(taskArn, roleType);
      if (!id) store.putCredentialsId(taskArn, roleType, (id = randomUUID()));
      return id;
    },
    add: (instanceArn, entry) => store.addPendingCredentials(instanceArn, entry),
    ack: (instanceArn, messageId, credentialsId) => store.removePendingCredentials(instanceArn, messageId, credentialsId),
    pending: (instanceArn) => store.listPendingCredentials(instanceArn),
    forget: (instanceArn, taskArn) => store.forgetTaskCredentials(instanceArn, taskArn),
  };
}
