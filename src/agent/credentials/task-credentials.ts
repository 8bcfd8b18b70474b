// Task IAM role credentials pushed by ACS (IAMRoleCredentialsMessage), kept in memory only — never
// on disk, never in a log line — keyed by credentialsId, for the task credentials endpoint
// (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/<id>) to serve to that task alone.
import type { IamRoleCredentials } from '../../protocol/acs-messages.ts';

export interface TaskCredentials {
  taskArn: string;
  roleType: 'TaskApplication' | 'TaskExecution';
  credentials: Required<Pick<IamRoleCredentials, 'accessKeyId' | 'secretAccessKey'>> & IamRoleCredentials;
}

export class TaskCredentialsStore {
  #byId = new Map<string, TaskCredentials>();

  /** Stores (or refreshes) a task's credentials; returns false when the message lacks them. */
  put(taskArn: string | undefined, roleType: TaskCredentials['roleType'] | undefined, c: IamRoleCredentials | undefined): boolean {
    if (!taskArn || !c?.credentialsId || !c.accessKeyId || !c.secretAccessKey) return false;
    this.#byId.set(c.credentialsId, { taskArn, roleType: roleType ?? 'TaskApplication', credentials: { ...c, accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } });
    return true;
  }

  get(credentialsId: string): TaskCredentials | undefined {
    return this.#byId.get(credentialsId);
  }

  /** Forgets every credential of a task (when it stops). */
  removeTask(taskArn: string): void {
    for (const [id, entry] of this.#byId) if (entry.taskArn === taskArn) this.#byId.delete(id);
  }

  get size(): number {
    return this.#byId.size;
  }
}
