// The control plane's own data, as plain JSON-serialisable records (epoch-millisecond numbers, no
// Dates, no class instances) so that a durable store can persist them as they are. The wire shapes
// that DescribeX answers are derived from these in ecs-api/views.ts, never stored.
import type { Attribute, CapacityProviderStrategyItem, ClusterConfiguration, ContainerDefinition, Resource, Tag, TaskOverride, VersionInfo } from '@aws-sdk/client-ecs';
import type { NetworkBinding } from '../../protocol/state-change.ts';
import type { ContainerStatus, DesiredStatus, StopCode } from '../../protocol/statuses.ts';

export interface ClusterRecord {
  name: string;
  arn: string;
  status: 'ACTIVE' | 'INACTIVE';
  createdAt: number;
  tags: Tag[];
  settings: Array<{ name: string; value: string }>;
  /** CreateCluster/UpdateCluster `configuration` (executeCommandConfiguration), as sent. */
  configuration?: ClusterConfiguration;
  /** Short names of the capacity providers associated with the cluster. */
  capacityProviders?: string[];
  defaultCapacityProviderStrategy?: CapacityProviderStrategyItem[];
  /** `serviceConnectDefaults` as sent (there is no Cloud Map here to resolve the namespace). */
  serviceConnectDefaults?: { namespace: string };
}

/** A registered task definition: every field the caller sent, plus what ECS computes. */
export interface TaskDefinitionRecord {
  arn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  registeredAt: number;
  deregisteredAt?: number;
  tags: Tag[];
  /** The RegisterTaskDefinition request minus `tags`, with task-level cpu/memory normalised to units. */
  definition: TaskDefinitionBody;
}

export interface TaskDefinitionBody {
  family: string;
  containerDefinitions: ContainerDefinition[];
  networkMode?: string;
  cpu?: string;
  memory?: string;
  volumes?: Array<Record<string, unknown>>;
  requiresCompatibilities?: string[];
  pidMode?: string;
  ipcMode?: string;
  [field: string]: unknown;
}

export interface ContainerInstanceRecord {
  arn: string;
  clusterName: string;
  ec2InstanceId: string;
  /** DRAINING (UpdateContainerInstancesState): still registered and connected, but gets no new tasks. */
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  registeredAt: number;
  /** Bumped on every change, as DescribeContainerInstances' `version`. */
  version: number;
  clientToken?: string;
  attributes: Attribute[];
  registeredResources: Resource[];
  versionInfo?: VersionInfo;
  tags: Tag[];
}

/** What a task holds on its instance while it is live: the input of placement. */
export interface ResourceNeeds {
  cpu: number;
  memory: number;
  ports: number[];
  portsUdp: number[];
  /** GPUs the task's containers ask for (resourceRequirements type GPU); absent when none. */
  gpus?: number;
}

export interface ContainerRecord {
  containerArn: string;
  name: string;
  image: string;
  lastStatus: ContainerStatus;
  essential: boolean;
  runtimeId?: string;
  exitCode?: number;
  reason?: string;
  networkBindings: NetworkBinding[];
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
}

/** Task statuses as the control plane tracks them for bridge/host tasks on EC2/EXTERNAL. */
export const TASK_LAST_STATUSES = ['PENDING', 'RUNNING', 'STOPPED'] as const;
export type TaskLastStatus = (typeof TASK_LAST_STATUSES)[number];

export interface TaskRecord {
  arn: string;
  clusterName: string;
  containerInstanceArn: string;
  taskDefinitionArn: string;
  launchType: 'EC2' | 'EXTERNAL';
  lastStatus: TaskLastStatus;
  desiredStatus: DesiredStatus;
  /** Bumped on every change, as DescribeTasks' `version`. */
  version: number;
  createdAt: number;
  startedAt?: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  executionStoppedAt?: number;
  stopCode?: StopCode;
  stoppedReason?: string;
  startedBy?: string;
  group: string;
  tags: Tag[];
  overrides: TaskOverride;
  /** Task-level cpu/memory (after overrides) in units / MiB, when the definition set them. */
  cpu?: string;
  memory?: string;
  needs: ResourceNeeds;
  containers: ContainerRecord[];
  /** RunTask/StartTask `enableExecuteCommand` (ExecuteCommand refuses tasks without it). */
  enableExecuteCommand?: boolean;
}

/** A PayloadMessage the agent has not acknowledged yet, kept for resending on reconnect. */
export interface PendingPayload {
  messageId: string;
  /** The exact frame as first sent (JSON text), so a resend is byte-identical. */
  frame: string;
}

/** An IAMRoleCredentialsMessage the agent has not acknowledged yet, kept for resending on reconnect. */
export interface PendingCredentials {
  messageId: string;
  taskArn: string;
  credentialsId: string;
  /** The exact frame as first sent, so that a resend is byte-identical. */
  frame: string;
}
