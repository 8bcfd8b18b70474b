// Task IAM role credentials. There is no IAM (or STS) behind Dockhand, so the control plane makes
// throwaway credentials that are well-formed but clearly fake: an ASIA… access key id (the
// prefix STS uses for temporary keys), a random 40-character secret, a session token starting
// "FAKE", an expiration one hour out. Enough for the agent to run its credentials endpoint; any
// real AWS call signed with them fails, as it should.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AcsInbound, IamRoleCredentials } from '../../protocol/acs-messages.ts';
import type { AcsRoleType, AcsTaskCredentialRefs } from '../../protocol/acs-task-credentials.ts';
import type { TaskDefinitionBody } from '../model/records.ts';

export const CREDENTIALS_LIFETIME_MS = 60 * 60 * 1000;

export interface TaskRole {
  roleType: AcsRoleType;
  roleArn: string;
}

export type CredentialsFrame = Extract<AcsInbound, { type: 'IAMRoleCredentialsMessage' }>;

/** The roles a task definition names: the task role first, then the execution role. */
export function rolesOf(definition: TaskDefinitionBody): TaskRole[] {
  const roles: TaskRole[] = [];
  if (typeof definition.taskRoleArn === 'string' && definition.taskRoleArn) roles.push({ roleType: 'TaskApplication', roleArn: definition.taskRoleArn });
  if (typeof definition.executionRoleArn === 'string' && definition.executionRoleArn) roles.push({ roleType: 'TaskExecution', roleArn: definition.executionRoleArn });
  return roles;
}

/** The payload task's references to its credentials: ids only, the secrets come separately. */
export function credentialRefs(roles: Array<TaskRole & { credentialsId: string }>): AcsTaskCredentialRefs {
  const refs: AcsTaskCredentialRefs = {};
  for (const r of roles) {
    const ref = { credentialsId: r.credentialsId, roleArn: r.roleArn };
    if (r.roleType === 'TaskApplication') refs.roleCredentials = ref;
    else refs.executionRoleCredentials = ref;
  }
  return refs;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function accessKeyId(): string {
  return `ASIA${[...randomBytes(16)].map((b) => BASE32[b % 32]).join('')}`;
}

export function fakeCredentials(o: { credentialsId: string; roleArn: string; now: number }): IamRoleCredentials {
  return {
    credentialsId: o.credentialsId,
    roleArn: o.roleArn,
    accessKeyId: accessKeyId(),
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: `FAKE${randomBytes(120).toString('base64')}`,
    // RFC 3339 without milliseconds, as STS writes it.
    expiration: new Date(o.now + CREDENTIALS_LIFETIME_MS).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

export function credentialsFrame(o: { taskArn: string; role: TaskRole; credentialsId: string; now: number }): CredentialsFrame {
  return {
    type: 'IAMRoleCredentialsMessage',
    message: {
      messageId: randomUUID(),
      taskArn: o.taskArn,
      roleType: o.role.roleType,
      roleCredentials: fakeCredentials({ credentialsId: o.credentialsId, roleArn: o.role.roleArn, now: o.now }),
    },
  };
}
