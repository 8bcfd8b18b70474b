// ACS (Agent Communication Service) wire messages. Shapes follow the ECS agent's ACS model
// (ecsacs api-2.json) field for field; every frame on the socket is an envelope {type, message}.
// Only codecs live here: no I/O, so both the agent and the control plane can use them.

export interface AcsPortMapping {
  containerPort?: number;
  hostPort?: number;
  /** e.g. "8000-8010"; hostPort is then chosen by Docker. */
  containerPortRange?: string;
  protocol?: 'tcp' | 'udp';
}

export interface AcsMountPoint { sourceVolume?: string; containerPath?: string; readOnly?: boolean }
export interface AcsVolumeFrom { sourceContainer?: string; readOnly?: boolean }
export interface AcsContainerDependency { containerName: string; condition: 'START' | 'COMPLETE' | 'SUCCESS' | 'HEALTHY' }

/**
 * The backend folds most ContainerDefinition fields (user, workingDirectory, labels, ulimits,
 * memoryReservation, logConfiguration, …) into Docker create-config JSON strings; the agent merges
 * them into what it sends to Docker. `version` is the Docker API version they were written for.
 */
export interface AcsDockerConfig { version?: string; config?: string; hostConfig?: string }

export interface AcsContainer {
  name: string;
  containerArn?: string;
  image: string;
  command?: string[];
  entryPoint?: string[];
  cpu?: number;
  /** Hard memory limit in MiB (0 or absent: none). */
  memory?: number;
  essential?: boolean;
  /** A map, not the list of {name, value} that the public API uses. */
  environment?: Record<string, string>;
  environmentFiles?: Array<{ value?: string; type?: 's3' }>;
  links?: string[];
  mountPoints?: AcsMountPoint[];
  volumesFrom?: AcsVolumeFrom[];
  portMappings?: AcsPortMapping[];
  secrets?: Array<Record<string, unknown>>;
  dependsOn?: AcsContainerDependency[];
  managedAgents?: Array<{ name?: string; properties?: Record<string, string> }>;
  linuxParameters?: Record<string, unknown>;
  privileged?: boolean;
  dockerConfig?: AcsDockerConfig;
  healthCheckType?: 'docker';
  registryAuthentication?: Record<string, unknown>;
  logsAuthStrategy?: string;
  startTimeout?: number;
  /** Seconds between SIGTERM and SIGKILL; absent: ECS_CONTAINER_STOP_TIMEOUT. */
  stopTimeout?: number;
  overrides?: string;
}

export interface AcsVolume {
  name?: string;
  type?: 'host' | 'docker' | 'efs' | 'fsxWindowsFileServer' | 'ebs' | 'logDriverOutput';
  host?: { sourcePath?: string };
  dockerVolumeConfiguration?: {
    scope?: 'task' | 'shared';
    autoprovision?: boolean;
    driver?: string;
    driverOpts?: Record<string, string>;
    labels?: Record<string, string>;
  };
}

export interface AcsTask {
  arn: string;
  taskClusterArn?: string;
  family: string;
  version: string;
  desiredStatus: 'RUNNING' | 'STOPPED';
  taskDefinitionAccountId?: string;
  launchType?: string;
  networkMode?: string;
  /** Task-level CPU in vCPU units (the wire carries a double), memory in MiB. */
  cpu?: number;
  memory?: number;
  overrides?: string;
  volumes?: AcsVolume[];
  containers: AcsContainer[];
  elasticNetworkInterfaces?: unknown[];
  attachments?: unknown[];
  associations?: unknown[];
  pidMode?: string;
  ipcMode?: string;
  serviceName?: string;
  group?: string;
}

export interface TaskIdentifier { taskArn: string; taskClusterArn?: string; desiredStatus?: string }

export interface IamRoleCredentials {
  credentialsId?: string;
  roleArn?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  expiration?: string;
}

/** Control plane → agent. */
export type AcsInbound =
  | { type: 'PayloadMessage'; message: { clusterArn: string; containerInstanceArn: string; messageId: string; generatedAt?: number; seqNum: number; tasks: AcsTask[] } }
  | { type: 'HeartbeatMessage'; message: { healthy: boolean; messageId?: string } }
  | { type: 'TaskManifestMessage'; message: { clusterArn: string; containerInstanceArn: string; messageId: string; generatedAt?: number; timeline: number; tasks: TaskIdentifier[] } }
  | { type: 'TaskStopVerificationAck'; message: { generatedAt?: number; messageId: string; stopTasks: TaskIdentifier[] } }
  | { type: 'IAMRoleCredentialsMessage'; message: { messageId: string; taskArn?: string; roleType?: 'TaskApplication' | 'TaskExecution'; roleCredentials?: IamRoleCredentials } }
  | { type: 'CloseMessage'; message: { message?: string } }
  | { type: 'ErrorMessage'; message: { message?: string } };

/** Agent → control plane. */
export type AcsOutbound =
  | { type: 'AckRequest'; message: { cluster: string; containerInstance: string; messageId: string } }
  | { type: 'HeartbeatAckRequest'; message: { messageId: string } }
  | { type: 'TaskStopVerificationMessage'; message: { messageId: string; stopCandidates: TaskIdentifier[] } }
  | { type: 'IAMRoleCredentialsAckRequest'; message: { messageId: string; expiration?: string; credentialsId?: string } };

export const ACS_INBOUND_TYPES = [
  'PayloadMessage',
  'HeartbeatMessage',
  'TaskManifestMessage',
  'TaskStopVerificationAck',
  'IAMRoleCredentialsMessage',
  'CloseMessage',
  'ErrorMessage',
] as const satisfies ReadonlyArray<AcsInbound['type']>;

export const ACS_OUTBOUND_TYPES = [
  'AckRequest',
  'HeartbeatAckRequest',
  'TaskStopVerificationMessage',
  'IAMRoleCredentialsAckRequest',
] as const satisfies ReadonlyArray<AcsOutbound['type']>;

/** A frame whose `type` we do not know: logged and ignored, never fatal. Exceptions
 *  (e.g. `InactiveInstanceException`) arrive this way too, their type ending in "Exception". */
export interface UnknownFrame { type: string; message: unknown; unknown: true }

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

function decodeEnvelope(raw: string | Buffer): { type: string; message: unknown } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (err) {
    throw new ProtocolError('ACS frame is not JSON', { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null) throw new ProtocolError('ACS frame is not an object');
  const { type, message } = parsed as { type?: unknown; message?: unknown };
  if (typeof type !== 'string' || type === '') throw new ProtocolError('ACS frame has no "type"');
  if (typeof message !== 'object' || message === null) throw new ProtocolError(`ACS ${type} has no "message" object`);
  return { type, message };
}

/** Decodes a frame the agent received. Unknown types come back as UnknownFrame. */
export function decodeInbound(raw: string | Buffer): AcsInbound | UnknownFrame {
  const env = decodeEnvelope(raw);
  if ((ACS_INBOUND_TYPES as readonly string[]).includes(env.type)) return env as AcsInbound;
  return { ...env, unknown: true };
}

/** Decodes a frame the control plane received. Unknown types come back as UnknownFrame. */
export function decodeOutbound(raw: string | Buffer): AcsOutbound | UnknownFrame {
  const env = decodeEnvelope(raw);
  if ((ACS_OUTBOUND_TYPES as readonly string[]).includes(env.type)) return env as AcsOutbound;
  return { ...env, unknown: true };
}

export function encodeFrame(frame: AcsInbound | AcsOutbound): string {
  return JSON.stringify(frame);
}
