// What an ACS task carries about its IAM roles. The ECS agent's ACS model gives a Task
// `roleCredentials` and `executionRoleCredentials` (IAMRoleCredentials). Real ECS fills them in
// full when the agent connects with sendCredentials=true; Dockhand's control plane puts only the
// ids there (plus the role ARN) and sends the credentials themselves in IAMRoleCredentialsMessage
// right after the payload, so that secrets travel in exactly one kind of frame.
// Kept apart from acs-messages.ts (owned by the protocol lead) until it is merged into AcsTask.
import type { AcsTask, IamRoleCredentials } from './acs-messages.ts';

export type AcsRoleType = 'TaskApplication' | 'TaskExecution';

export type AcsCredentialsRef = Pick<IamRoleCredentials, 'credentialsId' | 'roleArn'>;

export interface AcsTaskCredentialRefs {
  /** The task role (taskRoleArn): roleType TaskApplication. */
  roleCredentials?: AcsCredentialsRef;
  /** The execution role (executionRoleArn): roleType TaskExecution. */
  executionRoleCredentials?: AcsCredentialsRef;
}

export type AcsTaskWithCredentials = AcsTask & AcsTaskCredentialRefs;
