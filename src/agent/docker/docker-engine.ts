// The Docker port: everything the task engine needs from Docker, as plain data. The engine
// depends on this interface only; `dockerode-engine.ts` is the one adapter and the only file
// that touches dockerode, so the engine can be exercised against any other implementation.
import type { NetworkBinding } from '../../protocol/state-change.ts';
import type { PullProgressEvent } from '../images/docker-images.ts';
import type { RegistryCredentials } from '../images/registry-auth.ts';

/** Docker's create-container body (API 1.41 field names). Open-ended: the backend's
 *  `dockerConfig` JSON may carry any field Docker understands, and we pass it through. */import type { StatsSample } from './container-stats.ts';

export interface DockerCreateConfig {
  Image: string;
  Cmd?: string[];
  Entrypoint?: string[];
  Env?: string[];
  Labels: Record<string, string>;
  ExposedPorts?: Record<string, Record<string, never>>;
  HostConfig: DockerHostConfig;
  [field: string]: unknown;
}

export interface DockerHostConfig {
  CpuShares?: number;
  Memory?: number;
  PortBindings?: Record<string, Array<{ HostIp?: string; HostPort: string }>>;
  NetworkMode?: string;
  CgroupParent?: string;
  [field: string]: unknown;
}

export interface ContainerCreateSpec {
  name: string;
  config: DockerCreateConfig;
}

export interface ContainerInspection {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  running: boolean;
  exitCode: number;
  /** Epoch ms; undefined when Docker reports its zero time (never started / never finished). */
  startedAt?: number;
  finishedAt?: number;
  oomKilled: boolean;
  portBindings: NetworkBinding[];
  labels: Record<string, string>;
  /** Docker's health-check status, when the container has a health check. */
  health?: DockerHealth;
}

export type DockerHealth = 'healthy' | 'unhealthy' | 'starting';

export interface ContainerSummary {
  id: string;
  name: string;
  state: string;
  labels: Record<string, string>;
  /** Docker's health-check status, when the container has a health check. */
  health?: 'healthy' | 'unhealthy' | 'starting';
}

/** `health_status` stands for Docker's "health_status: <status>" actions (the status is in `health`). */
export const CONTAINER_EVENT_ACTIONS = ['start', 'die', 'oom', 'kill', 'destroy', 'health_status'] as const;
export type ContainerEventAction = (typeof CONTAINER_EVENT_ACTIONS)[number];

export interface ContainerEvent {
  action: ContainerEventAction;
  id: string;
  /** Epoch ms, from Docker's timeNano. */
  time: number;
  labels: Record<string, string>;
  /** On `die` only. */
  exitCode?: number;
  /** On `health_status` only. */
  health?: DockerHealth;
}

export interface EventSubscription {
  /** Settles once the stream is first connected (or the subscription was closed). */
  ready: Promise<void>;
  close(): void;
}

export interface DockerEngine {
  version(): Promise<{ version: string; apiVersion: string }>;
  imageExists(ref: string): Promise<boolean>;
  /** Resolves once the image is fully pulled; rejects with CannotPullContainerError. */
  pullImage(ref: string, o?: {
    timeoutMs?: number;
    /** No message from Docker for this long cancels the pull (ECS_IMAGE_PULL_INACTIVITY_TIMEOUT). */
    inactivityTimeoutMs?: number;
    auth?: RegistryCredentials;
    /** Each message of Docker's pull stream, in order. */
    onProgress?: (event: PullProgressEvent) => void;
  }): Promise<void>;
  createContainer(spec: ContainerCreateSpec): Promise<{ id: string }>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutSec` (Docker's stop API `t`). Stopping a stopped container is not an error. */
  stopContainer(id: string, timeoutSec: number): Promise<void>;
  inspectContainer(id: string): Promise<ContainerInspection>;
  removeContainer(id: string, o?: { force?: boolean }): Promise<void>;
  /** Containers (running or not) carrying every given label (`key` or `key=value`). */
  listContainers(o: { labels: string[] }): Promise<ContainerSummary[]>;
  /** Names of the volumes carrying every given label (`key` or `key=value`). */
  listVolumes(o: { labels: string[] }): Promise<string[]>;
  /** Removing a volume that is already gone is not an error. */
  removeVolume(name: string): Promise<void>;
  /** Lifecycle events of ECS-managed containers (label `com.amazonaws.ecs.task-arn`);
   *  the subscription reconnects by itself when the stream drops, replaying from the last event seen.
   *  `onReconnect` runs after every reconnection (not the first connection): Docker's replay does
   *  not survive a dockerd restart, so the caller re-inspects what it knows. */
  events(listener: (event: ContainerEvent) => void, o?: { onReconnect?: () => void }): EventSubscription;
  /** One stats sample (never a stream: streams leak dockerd memory, real agent #505). */
  containerStats(id: string): Promise<StatsSample>;
}
