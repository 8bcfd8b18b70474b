// SubmitTaskStateChange / SubmitContainerStateChange request bodies as the agent sends them
// (capture: main.traffic.jsonl seq 22 and 58). Timestamps are epoch seconds (JSON 1.1).
import type { ReportedTaskStatus, ContainerStatus } from './statuses.ts';

export interface NetworkBinding {
  bindIP: string;
  containerPort?: number;
  hostPort?: number;
  protocol?: 'tcp' | 'udp';
  containerPortRange?: string;
  hostPortRange?: string;
}

export interface ContainerStateChange {
  containerName: string;
  runtimeId?: string;
  status: ContainerStatus;
  exitCode?: number;
  reason?: string;
  networkBindings?: NetworkBinding[];
  imageDigest?: string;
}

export interface TaskStateChangeRequest {
  cluster: string;
  task: string;
  status: ReportedTaskStatus;
  reason: string;
  containers: ContainerStateChange[];
  pullStartedAt?: number;
  pullStoppedAt?: number;
  executionStoppedAt?: number;
}

export interface ContainerStateChangeRequest {
  cluster: string;
  task: string;
  containerName: string;
  runtimeId?: string;
  status: ContainerStatus;
  exitCode?: number;
  reason?: string;
  networkBindings?: NetworkBinding[];
}
