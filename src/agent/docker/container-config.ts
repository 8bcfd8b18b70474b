// PURE: what the agent asks Docker to create for one ECS container. Mirrors the real agent's
// task.dockerConfig/dockerHostConfig: a base built from the container definition, then the
// backend's `dockerConfig` JSON strings (user, workingDirectory, ulimits, memoryReservation,
// logConfiguration, dockerLabels, …) decoded over it the way Go's json.Unmarshal does (objects
// merge, everything else replaces), then the ECS labels on top so they cannot be overridden.
import type { AcsContainer, AcsTask } from '../../protocol/acs-messages.ts';
import type { ContainerCreateSpec, DockerCreateConfig, DockerHostConfig } from './docker-engine.ts';
import { dockerPorts } from './container-ports.ts';
import { taskMounts } from './task-volumes.ts';
import { MAX_CPU_SHARES, MIN_CPU_SHARES, taskCgroupPath } from './task-cgroup.ts';

export const ECS_LABELS = {
  cluster: 'com.amazonaws.ecs.cluster',
  containerName: 'com.amazonaws.ecs.container-name',
  taskArn: 'com.amazonaws.ecs.task-arn',
  family: 'com.amazonaws.ecs.task-definition-family',
  version: 'com.amazonaws.ecs.task-definition-version',
} as const;

const MIB = 1024 * 1024;

export interface ContainerConfigOptions {
  /** Cluster NAME (not ARN), as the real agent labels containers. */
  cluster: string;
  /** 20 hex characters that make the container name unique; ignored when `name` is given. */
  nameSuffix?: string;
  /** The Docker name the engine decided (and checkpointed) before asking Docker to create it. */
  name?: string;
  /** Agent-wide host config under everything else (e.g. a default log driver). */
  hostConfigDefaults?: Partial<DockerHostConfig>;
  /** Docker name of every container of the task, for links and volumesFrom. */
  dockerNames?: Record<string, string>;
  /** ECS_AVAILABLE_LOGGING_DRIVERS: a container asking for another log driver fails (absent: not checked). */
  availableLoggingDrivers?: string[];
  /** ECS_ENABLE_TASK_CPU_MEM_LIMIT: containers go under the task cgroup /ecs/<task id> (default true). */
  taskCgroups?: boolean;
  /** Host ports the agent found for each containerPortRange, keyed "<range>/<protocol>" (host-port-range.ts). */
  hostPortRanges?: Record<string, string>;
}

export type ContainerConfigResult = { ok: true; spec: ContainerCreateSpec } | { ok: false; reason: string };

export function containerCreateSpec(task: AcsTask, container: AcsContainer, o: ContainerConfigOptions): ContainerConfigResult {
  const config = decodeJsonObject(container.dockerConfig?.config, 'config');
  if (!config.ok) return config;
  const hostConfig = decodeJsonObject(container.dockerConfig?.hostConfig, 'hostConfig');
  if (!hostConfig.ok) return hostConfig;

  const refused = unsupported(task, container);
  if (refused) return { ok: false, reason: `CannotCreateContainerError: ${refused}` };
  const mounts = taskMounts(task, container, o.dockerNames ?? {});
  if (!mounts.ok) return mounts;

  const ports = dockerPorts(container.portMappings ?? [], o.hostPortRanges);
  if (!ports.ok) return ports;
  const { exposed, bindings } = ports.value;
  const base: DockerCreateConfig = {
    Image: container.image,
    ...(container.command?.length ? { Cmd: [...container.command] } : {}),
    // An empty entryPoint means "the image's own", so Docker must not receive [] (which clears it).
    ...(container.entryPoint?.length ? { Entrypoint: [...container.entryPoint] } : {}),
    Env: Object.entries(container.environment ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: {},
    ...(exposed ? { ExposedPorts: exposed } : {}),
    HostConfig: {
      ...(o.hostConfigDefaults ?? {}),
      // Docker turns 0 into 1024 shares and the kernel refuses 1: the real agent's bounds instead.
      CpuShares: Math.min(Math.max(container.cpu ?? 0, MIN_CPU_SHARES), MAX_CPU_SHARES),
      ...(container.memory && container.memory > 0 ? { Memory: container.memory * MIB } : {}),
      ...(bindings ? { PortBindings: bindings } : {}),
      ...mounts.value,
      ...networkMode(task.networkMode),
      ...(o.taskCgroups === false ? {} : { CgroupParent: taskCgroupPath(task.arn) }),
    },
  };
  const merged = mergeDecoded(base as unknown as JsonObject, config.value) as unknown as DockerCreateConfig;
  merged.HostConfig = mergeDecoded(base.HostConfig as JsonObject, hostConfig.value) as DockerHostConfig;
  merged.Labels = { ...stringLabels(merged.Labels), ...ecsLabels(task, container, o.cluster) };
  // maxSwap travels as MemorySwap (memory + swap); without a hard limit Docker cannot honour it.
  if ('MemorySwap' in hostConfig.value && !(Number(merged.HostConfig.Memory) > 0)) {
    return { ok: false, reason: `CannotCreateContainerError: container ${container.name} sets linuxParameters.maxSwap, which needs a hard memory limit (memory)` };
  }
  const driver = (merged.HostConfig.LogConfig as { Type?: unknown } | undefined)?.Type;
  if (o.availableLoggingDrivers && typeof driver === 'string' && driver !== '' && !o.availableLoggingDrivers.includes(driver)) {
    return {
      ok: false,
      reason: `CannotCreateContainerError: log driver "${driver}" is not available on this instance (ECS_AVAILABLE_LOGGING_DRIVERS: ${o.availableLoggingDrivers.join(', ')})`,
    };
  }
  return { ok: true, spec: { name: o.name ?? containerName(task, container, o.nameSuffix ?? ''), config: merged } };
}

/** `ecs-<family>-<version>-<container>-<suffix>`, keeping only characters Docker allows in names. */
export function containerName(task: AcsTask, container: AcsContainer, suffix: string): string {
  return `ecs-${task.family}-${task.version}-${container.name}-${suffix}`.replace(/[^a-zA-Z0-9_.-]/g, '');
}

export function ecsLabels(task: AcsTask, container: AcsContainer, cluster: string): Record<string, string> {
  return {
    [ECS_LABELS.cluster]: cluster,
    [ECS_LABELS.containerName]: container.name,
    [ECS_LABELS.taskArn]: task.arn,
    [ECS_LABELS.family]: task.family,
    [ECS_LABELS.version]: task.version,
  };
}

/**
 * What this agent cannot honour, so the task fails with a reason instead of running without it.
 * Placement already keeps such tasks off this instance (its attributes lack the capability); this
 * is the agent's own guard for a backend that sends them anyway.
 */
function unsupported(task: AcsTask, c: AcsContainer): string | undefined {
  if (task.networkMode === 'awsvpc') return 'networkMode awsvpc needs the ECS CNI plugins and an ENI, which this agent does not support';
  if (c.secrets?.length) return `container ${c.name} has secrets (Secrets Manager / SSM), which this agent cannot fetch`;
  if (c.environmentFiles?.length) return `container ${c.name} has environmentFiles (S3), which this agent cannot fetch`;
  if (c.registryAuthentication?.type === 'asm') {
    return `container ${c.name} has repositoryCredentials (Secrets Manager), which this agent cannot fetch`;
  }
  if (task.pidMode) return `pidMode ${task.pidMode} needs PID namespace sharing, which this agent does not support`;
  if (task.ipcMode) return `ipcMode ${task.ipcMode} needs IPC namespace sharing, which this agent does not support`;
  return undefined;
}

function networkMode(mode: string | undefined): Partial<DockerHostConfig> {
  // bridge is Docker's default ("default" in inspect), which is what the real agent leaves it at.
  if (!mode || mode === 'bridge') return {};
  return { NetworkMode: mode };
}

type JsonObject = { [key: string]: unknown };

function decodeJsonObject(text: string | undefined, field: string): { ok: true; value: JsonObject } | { ok: false; reason: string } {
  if (text === undefined || text.trim() === '') return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (value === null) return { ok: true, value: {} };
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
    return { ok: true, value: value as JsonObject };
  } catch (err) {
    return { ok: false, reason: `DockerClientConfigError: unable to decode the container's dockerConfig.${field}: ${(err as Error).message}` };
  }
}

/** Go json.Unmarshal into an existing struct: nested objects merge key by key, anything else replaces. */
function mergeDecoded(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeDecoded(current, value) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringLabels(labels: unknown): Record<string, string> {
  if (!isPlainObject(labels)) return {};
  return Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
