// The agent's configuration: the real agent's names and defaults, read from the environment and
// from /etc/ecs/ecs.config (environment wins, as with ecs-init's env-file plus `docker run -e`).
// Schema keys ARE the variable names, so every validation error names the variable to fix.
import convict from 'convict';
import { readFileSync, existsSync } from 'node:fs';
import {
  parseEnvFile, parseGoBool, parseGoDuration, parseJsonPortList, parseJsonStringList, parseJsonStringMap,
} from './go-values.ts';
import { settingWarnings } from './known-settings.ts';
import { imageConfig, type ImageConfig } from './image-config.ts';

/** Marks a value that failed to parse; kept as a string until validate() so that convict's
 *  error message names the variable (convict treats objects as nested config, hence a string). */
const UNPARSED = '\u0000unparsed:';

function goFormat<T>(name: string, parse: (v: string) => T, check?: (v: T) => void): convict.Format {
  return {
    name,
    coerce: (v: unknown) => {
      if (typeof v !== 'string') return v;
      try { return parse(v); } catch (err) { return UNPARSED + (err as Error).message; }
    },
    validate: (v: unknown) => {
      if (typeof v === 'string' && v.startsWith(UNPARSED)) throw new Error(v.slice(UNPARSED.length));
      if (check) check(v as T);
    },
  };
}

convict.addFormats({
  'go-duration': goFormat('go-duration', parseGoDuration, (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error('must be a duration');
  }),
  'go-bool': goFormat('go-bool', parseGoBool, (v) => { if (typeof v !== 'boolean') throw new Error('must be true or false'); }),
  'port-list': goFormat('port-list', parseJsonPortList, (v) => { if (!Array.isArray(v)) throw new Error('must be a JSON list'); }),
  'string-list': goFormat('string-list', parseJsonStringList, (v) => { if (!Array.isArray(v)) throw new Error('must be a JSON list'); }),
  'string-map': goFormat('string-map', parseJsonStringMap, (v) => {
    if (typeof v !== 'object' || v === null) throw new Error('must be a JSON object');
  }),
  // The real agent's BooleanDefaultTrue: unset ('') differs from an explicit true.
  'optional-go-bool': goFormat('optional-go-bool', (s) => (s.trim() === '' ? '' : parseGoBool(s)), (v) => {
    if (v !== '' && typeof v !== 'boolean') throw new Error('must be true or false');
  }),
  'non-negative-int': goFormat('non-negative-int', (s) => Number(s), (v) => {
    if (!Number.isInteger(v) || v < 0) throw new Error('must be a whole number ≥ 0');
  }),
});

/** One entry per supported variable: the real agent's name, default and meaning (see config/README.md). */
const schema = {
  ECS_CLUSTER: { doc: 'Cluster to register into', format: String, default: 'default', env: 'ECS_CLUSTER' },
  ECS_BACKEND_HOST: { doc: 'ECS API endpoint override (empty: the regional endpoint)', format: String, default: '', env: 'ECS_BACKEND_HOST' },
  AWS_REGION: { doc: 'Region (AWS_REGION, else AWS_DEFAULT_REGION)', format: String, default: '', env: 'AWS_REGION' },
  AWS_DEFAULT_REGION: { doc: 'Region fallback', format: String, default: '', env: 'AWS_DEFAULT_REGION' },
  ECS_CONTAINER_STOP_TIMEOUT: { doc: 'Time between SIGTERM and SIGKILL when a container has no stopTimeout', format: 'go-duration', default: 30_000, env: 'ECS_CONTAINER_STOP_TIMEOUT' },
  ECS_CONTAINER_START_TIMEOUT: { doc: 'Timeout of the Docker start call (on timeout the agent checks whether the container runs, else stops it)', format: 'go-duration', default: 180_000, env: 'ECS_CONTAINER_START_TIMEOUT' },
  ECS_CONTAINER_CREATE_TIMEOUT: { doc: 'Timeout of the Docker create call (a container that appears anyway is adopted, never created twice)', format: 'go-duration', default: 240_000, env: 'ECS_CONTAINER_CREATE_TIMEOUT' },
  ECS_IMAGE_PULL_TIMEOUT: { doc: 'Timeout of one image pull', format: 'go-duration', default: 7_200_000, env: 'ECS_IMAGE_PULL_TIMEOUT' },
  ECS_DATADIR: { doc: 'Where the agent keeps its state (agent.db)', format: String, default: '/var/lib/ecs/data', env: 'ECS_DATADIR' },
  ECS_CHECKPOINT: { doc: 'Keep state across restarts', format: 'go-bool', default: true, env: 'ECS_CHECKPOINT' },
  ECS_LOGLEVEL: { doc: 'debug, info, warn, error or crit', format: ['debug', 'info', 'warn', 'error', 'crit'], default: 'info', env: 'ECS_LOGLEVEL' },
  ECS_LOGFILE: { doc: 'Also write the log to this file (empty: stdout only)', format: String, default: '', env: 'ECS_LOGFILE' },
  ECS_RESERVED_MEMORY: { doc: 'MiB of memory not offered to tasks', format: 'non-negative-int', default: 0, env: 'ECS_RESERVED_MEMORY' },
  ECS_RESERVED_PORTS: { doc: 'TCP ports not offered to tasks (JSON list)', format: 'port-list', default: [22, 2375, 2376, 51678, 51679], env: 'ECS_RESERVED_PORTS' },
  ECS_RESERVED_PORTS_UDP: { doc: 'UDP ports not offered to tasks (JSON list)', format: 'port-list', default: [] as number[], env: 'ECS_RESERVED_PORTS_UDP' },
  ECS_IMAGE_PULL_BEHAVIOR: { doc: 'default, always, once or prefer-cached', format: ['default', 'always', 'once', 'prefer-cached'], default: 'default', env: 'ECS_IMAGE_PULL_BEHAVIOR' },
  ECS_IMAGE_PULL_INACTIVITY_TIMEOUT: { doc: 'Cancel a pull when Docker reports no progress for this long (at least 1m)', format: 'go-duration', default: 60_000, env: 'ECS_IMAGE_PULL_INACTIVITY_TIMEOUT' },
  DOCKHAND_IMAGE_PULL_INACTIVITY_TIMEOUT: { doc: 'Dockhand only, for tests: replaces ECS_IMAGE_PULL_INACTIVITY_TIMEOUT without its 1m minimum (0: unset)', format: 'go-duration', default: 0, env: 'DOCKHAND_IMAGE_PULL_INACTIVITY_TIMEOUT' },
  ECS_ENGINE_AUTH_TYPE: { doc: 'Format of ECS_ENGINE_AUTH_DATA: docker or dockercfg (empty: no registry credentials)', format: String, default: '', env: 'ECS_ENGINE_AUTH_TYPE' },
  ECS_ENGINE_AUTH_DATA: { doc: 'Private registry credentials, JSON keyed by registry (never logged)', format: String, default: '', env: 'ECS_ENGINE_AUTH_DATA', sensitive: true },
  ECS_DISABLE_IMAGE_CLEANUP: { doc: 'Never delete images (cleanup is also off with ECS_IMAGE_PULL_BEHAVIOR=prefer-cached)', format: 'go-bool', default: false, env: 'ECS_DISABLE_IMAGE_CLEANUP' },
  ECS_IMAGE_CLEANUP_INTERVAL: { doc: 'How often unused images the agent pulled are deleted (under 10m: the default)', format: 'go-duration', default: 1_800_000, env: 'ECS_IMAGE_CLEANUP_INTERVAL' },
  DOCKHAND_IMAGE_CLEANUP_INTERVAL: { doc: 'Dockhand only, for tests: replaces ECS_IMAGE_CLEANUP_INTERVAL without its 10m minimum (0: unset)', format: 'go-duration', default: 0, env: 'DOCKHAND_IMAGE_CLEANUP_INTERVAL' },
  ECS_IMAGE_MINIMUM_CLEANUP_AGE: { doc: 'Time since its pull before an image may be deleted (0: the default)', format: 'go-duration', default: 3_600_000, env: 'ECS_IMAGE_MINIMUM_CLEANUP_AGE' },
  ECS_NUM_IMAGES_DELETE_PER_CYCLE: { doc: 'Most images deleted per cleanup cycle (under 1: the default)', format: 'non-negative-int', default: 5, env: 'ECS_NUM_IMAGES_DELETE_PER_CYCLE' },
  ECS_EXCLUDE_UNTRACKED_IMAGE: { doc: 'Comma-separated image names that cleanup never deletes', format: String, default: '', env: 'ECS_EXCLUDE_UNTRACKED_IMAGE' },
  ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP: { doc: 'Also delete images the agent did not pull (never one a container uses)', format: 'go-bool', default: false, env: 'ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP' },
  NON_ECS_IMAGE_MINIMUM_CLEANUP_AGE: { doc: 'Age (since it was built) before an untracked image may be deleted (0: the default)', format: 'go-duration', default: 3_600_000, env: 'NON_ECS_IMAGE_MINIMUM_CLEANUP_AGE' },
  ECS_EXTERNAL: { doc: 'ECS Anywhere (on-prem) mode: no instance metadata service', format: 'go-bool', default: false, env: 'ECS_EXTERNAL' },
  ECS_DISABLE_METRICS: { doc: 'Send no container metrics to TCS', format: 'go-bool', default: false, env: 'ECS_DISABLE_METRICS' },
  ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: { doc: 'How long after a task stopped (and its STOPPED was acknowledged) its containers and task volumes are removed and the task forgotten; under 1s: the default', format: 'go-duration', default: 10_800_000, env: 'ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION' },
  ECS_INSTANCE_ATTRIBUTES: { doc: 'Custom attributes to register (JSON object)', format: 'string-map', default: {} as Record<string, string>, env: 'ECS_INSTANCE_ATTRIBUTES' },
  ECS_AVAILABLE_LOGGING_DRIVERS: { doc: 'Log drivers tasks may use (JSON list)', format: 'string-list', default: ['json-file', 'none'], env: 'ECS_AVAILABLE_LOGGING_DRIVERS' },
  ECS_EXCLUDE_IPV6_PORTBINDING: { doc: 'Report only IPv4 host port bindings', format: 'go-bool', default: true, env: 'ECS_EXCLUDE_IPV6_PORTBINDING' },
  ECS_POLLING_METRICS_WAIT_DURATION: { doc: 'How often container stats are polled for TCS', format: 'go-duration', default: 10_000, env: 'ECS_POLLING_METRICS_WAIT_DURATION' },
  DOCKHAND_TCS_PUBLISH_INTERVAL: { doc: 'Dockhand only: how often TCS metrics are published (the real agent: fixed 20s)', format: 'go-duration', default: 20_000, env: 'DOCKHAND_TCS_PUBLISH_INTERVAL' },
  AWS_EC2_METADATA_SERVICE_ENDPOINT: { doc: 'Instance metadata service (EC2 mode only)', format: String, default: 'http://169.254.169.254', env: 'AWS_EC2_METADATA_SERVICE_ENDPOINT' },
  DOCKER_HOST: { doc: 'Docker engine endpoint', format: String, default: 'unix:///var/run/docker.sock', env: 'DOCKER_HOST' },
  ECS_ENABLE_TASK_CPU_MEM_LIMIT: { doc: 'Task-level cpu/memory as a task cgroup /ecs/<task id> (unset: on if the host allows it; true: the agent fails to start without it)', format: 'optional-go-bool', default: '' as boolean | '', env: 'ECS_ENABLE_TASK_CPU_MEM_LIMIT' },
  ECS_CGROUP_PATH: { doc: 'Where the cgroup v1 hierarchies are mounted', format: String, default: '/sys/fs/cgroup', env: 'ECS_CGROUP_PATH' },
  ECS_CGROUP_CPU_PERIOD: { doc: 'CFS period of task cgroups with task-level cpu, in ms: 8ms to 100ms, default 100ms', format: 'go-duration', default: 100, env: 'ECS_CGROUP_CPU_PERIOD' },
  ECS_TASK_PIDS_LIMIT: { doc: 'pids.max of every task cgroup (0: no limit)', format: 'non-negative-int', default: 0, env: 'ECS_TASK_PIDS_LIMIT' },
  ECS_SHARED_VOLUME_MATCH_FULL_CONFIG: { doc: 'An existing shared Docker volume must match the task definition\'s driver, options and labels', format: 'go-bool', default: false, env: 'ECS_SHARED_VOLUME_MATCH_FULL_CONFIG' },
  ECS_DYNAMIC_HOST_PORT_RANGE: { doc: 'Host ports for containerPortRange mappings, "start-end" (empty: the kernel\'s ephemeral range)', format: String, default: '', env: 'ECS_DYNAMIC_HOST_PORT_RANGE' },
};

export type ImagePullBehavior = 'default' | 'always' | 'once' | 'prefer-cached';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'crit';

export interface AgentConfig {
  cluster: string;
  backendHost: string | undefined;
  /** Undefined only in EC2 mode, where the instance identity document supplies it. */
  region: string | undefined;
  containerStopTimeoutMs: number;
  containerStartTimeoutMs: number;
  containerCreateTimeoutMs: number;
  imagePullTimeoutMs: number;
  dataDir: string;
  checkpoint: boolean;
  logLevel: LogLevel;
  logFile: string | undefined;
  reservedMemoryMiB: number;
  reservedPorts: number[];
  reservedPortsUdp: number[];
  imagePullBehavior: ImagePullBehavior;
  /** Pull inactivity, registry credentials and image cleanup (image-config.ts). */
  images: ImageConfig;
  external: boolean;
  disableMetrics: boolean;
  taskCleanupWaitMs: number;
  instanceAttributes: Record<string, string>;
  availableLoggingDrivers: string[];
  dockerHost: string;
  imdsEndpoint: string;
  excludeIpv6PortBindings: boolean;
  metricsPollIntervalMs: number;
  metricsPublishIntervalMs: number;
  /** ECS_ENABLE_TASK_CPU_MEM_LIMIT: 'default' (unset) degrades quietly when the host cannot. */
  taskCpuMemLimit: 'default' | 'enabled' | 'disabled';
  cgroupPath: string;
  cgroupCpuPeriodMs: number;
  taskPidsLimit: number;
  sharedVolumeMatchFullConfig: boolean;
  /** "start-end", or undefined for the kernel's ephemeral range. */
  dynamicHostPortRange: string | undefined;
  /** Unknown or unsupported ECS_* names seen in the environment or the file, to log at start. */
  warnings: string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const DEFAULT_CONFIG_FILE = '/etc/ecs/ecs.config';

/**
 * Reads the configuration. `env` is normally process.env; the file named by
 * ECS_AGENT_CONFIG_FILE_PATH (default /etc/ecs/ecs.config) fills in what the environment lacks.
 */
export function loadAgentConfig(env: Record<string, string | undefined> = process.env): AgentConfig {
  const filePath = env.ECS_AGENT_CONFIG_FILE_PATH ?? DEFAULT_CONFIG_FILE;
  let fromFile: Record<string, string> = {};
  if (existsSync(filePath)) {
    try {
      fromFile = parseEnvFile(readFileSync(filePath, 'utf8'));
    } catch (err) {
      throw new ConfigError(`cannot read ${filePath}: ${(err as Error).message}`, { cause: err });
    }
  }
  const merged: Record<string, string> = { ...fromFile };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') merged[k] = v;
  let c: convict.Config<Record<string, unknown>>;
  try {
    c = convict(schema as never, { env: merged, args: [] });
    c.validate({ allowed: 'warn' });
  } catch (err) {
    const message = (err as Error).message.replace(/: value was "\\u0000unparsed:[^\n]*/g, '');
    throw new ConfigError(`invalid agent configuration: ${message}`, { cause: err });
  }
  const g = <T>(key: keyof typeof schema): T => c.get(key) as T;
  const region = g<string>('AWS_REGION') || g<string>('AWS_DEFAULT_REGION');
  if (!region && g<boolean>('ECS_EXTERNAL')) {
    throw new ConfigError('invalid agent configuration: AWS_DEFAULT_REGION (or AWS_REGION) must be set when ECS_EXTERNAL=true');
  }
  const stopTimeout = g<number>('ECS_CONTAINER_STOP_TIMEOUT');
  if (stopTimeout < 1000) throw new ConfigError('invalid agent configuration: ECS_CONTAINER_STOP_TIMEOUT must be at least 1s');
  const warnings = settingWarnings(Object.keys(merged), new Set(Object.keys(schema)));
  const backend = g<string>('ECS_BACKEND_HOST');
  if (backend && !/^https?:\/\//.test(backend)) throw new ConfigError(`invalid agent configuration: ECS_BACKEND_HOST must be an http(s) URL, was "${backend}"`);
  return {
    cluster: g('ECS_CLUSTER'),
    backendHost: backend || undefined,
    region: region || undefined,
    containerStopTimeoutMs: stopTimeout,
    containerStartTimeoutMs: g('ECS_CONTAINER_START_TIMEOUT'),
    containerCreateTimeoutMs: g('ECS_CONTAINER_CREATE_TIMEOUT'),
    imagePullTimeoutMs: g('ECS_IMAGE_PULL_TIMEOUT'),
    dataDir: g('ECS_DATADIR'),
    checkpoint: g('ECS_CHECKPOINT'),
    logLevel: g('ECS_LOGLEVEL'),
    logFile: g<string>('ECS_LOGFILE') || undefined,
    reservedMemoryMiB: g('ECS_RESERVED_MEMORY'),
    reservedPorts: g('ECS_RESERVED_PORTS'),
    reservedPortsUdp: g('ECS_RESERVED_PORTS_UDP'),
    imagePullBehavior: g('ECS_IMAGE_PULL_BEHAVIOR'),
    images: imageConfig(g, warnings),
    external: g('ECS_EXTERNAL'),
    disableMetrics: g('ECS_DISABLE_METRICS'),
    taskCleanupWaitMs: cleanupWait(g<number>('ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION'), warnings),
    instanceAttributes: g('ECS_INSTANCE_ATTRIBUTES'),
    availableLoggingDrivers: g('ECS_AVAILABLE_LOGGING_DRIVERS'),
    dockerHost: g('DOCKER_HOST'),
    imdsEndpoint: g('AWS_EC2_METADATA_SERVICE_ENDPOINT'),
    excludeIpv6PortBindings: g('ECS_EXCLUDE_IPV6_PORTBINDING'),
    metricsPollIntervalMs: Math.max(1000, g<number>('ECS_POLLING_METRICS_WAIT_DURATION')),
    metricsPublishIntervalMs: Math.max(1000, g<number>('DOCKHAND_TCS_PUBLISH_INTERVAL')),
    ...taskCgroupSettings(g, warnings),
    sharedVolumeMatchFullConfig: g('ECS_SHARED_VOLUME_MATCH_FULL_CONFIG'),
    dynamicHostPortRange: portRangeSetting(g<string>('ECS_DYNAMIC_HOST_PORT_RANGE'), warnings),
    warnings,
  };
}

type Getter = <T>(key: keyof typeof schema) => T;

/** The real agent's minimum is 1s; a lower value falls back to the 3h default with a warning. */
function cleanupWait(ms: number, warnings: string[]): number {
  if (ms >= 1000) return ms;
  warnings.push(`ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION ${ms}ms is under the 1s minimum; using the default 3h`);
  return 10_800_000;
}

/** Out-of-range values fall back to the default with a warning, as the real agent does. */
function taskCgroupSettings(g: Getter, warnings: string[]): Pick<AgentConfig, 'taskCpuMemLimit' | 'cgroupPath' | 'cgroupCpuPeriodMs' | 'taskPidsLimit'> {
  const enabled = g<boolean | ''>('ECS_ENABLE_TASK_CPU_MEM_LIMIT');
  let period = g<number>('ECS_CGROUP_CPU_PERIOD');
  if (period < 8 || period > 100) {
    warnings.push(`ECS_CGROUP_CPU_PERIOD ${period}ms is not within [8ms, 100ms]; using 100ms`);
    period = 100;
  }
  let pids = g<number>('ECS_TASK_PIDS_LIMIT');
  if (pids > 4_194_304) {
    warnings.push(`ECS_TASK_PIDS_LIMIT ${pids} is above 4194304; no task pids limit`);
    pids = 0;
  }
  return {
    taskCpuMemLimit: enabled === '' ? 'default' : enabled ? 'enabled' : 'disabled',
    cgroupPath: g<string>('ECS_CGROUP_PATH') || '/sys/fs/cgroup',
    cgroupCpuPeriodMs: period,
    taskPidsLimit: pids,
  };
}

function portRangeSetting(value: string, warnings: string[]): string | undefined {
  if (value === '') return undefined;
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(value);
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= Number(m[2]) && Number(m[2]) <= 65535) return `${Number(m[1])}-${Number(m[2])}`;
  warnings.push(`ECS_DYNAMIC_HOST_PORT_RANGE "${value}" is not a port range like 49153-65535; using the kernel's ephemeral range`);
  return undefined;
}

/** The schema as rows for documentation (config/README.md is generated from it). */
export function configTable(): Array<{ name: string; default: unknown; doc: string }> {
  return Object.entries(schema).map(([name, s]) => ({ name, default: s.default, doc: s.doc }));
}
