// The DockerEngine port over dockerode: the only place that imports it. dockerode is imported
// lazily on the first call (it costs ~30 MiB RSS at import), then pinned to the API version the
// daemon reports, as the real agent does. Every call runs under a timeout (docker-timeouts.ts) and
// failures come out as the named ECS errors with the Docker error as `cause`.
import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import type { NetworkBinding } from '../../protocol/state-change.ts';
import type {
  ContainerCreateSpec, ContainerEvent, ContainerInspection, ContainerSummary, DockerEngine, DockerHealth, EventSubscription,
} from './docker-engine.ts';
import {
  CannotCreateContainerError, CannotInspectContainerError, CannotListContainersError,
  CannotListVolumesError, CannotRemoveContainerError, CannotRemoveVolumeError, CannotStartContainerError, CannotStopContainerError, dockerMessage, dockerStatusCode,
} from './docker-errors.ts';
import { DOCKER_TIMEOUTS_MS, timed } from './docker-timeouts.ts';
import { DockerodeImages, pullWithDockerode, type PullOptions } from './dockerode-images.ts';
import { subscribeToEvents } from './docker-event-stream.ts';
import { parseDockerStats, type StatsSample } from './container-stats.ts';

export interface DockerodeEngineOptions {
  /** `unix:///var/run/docker.sock` (default) or `tcp://host:port`. */
  dockerHost?: string;
  logger: Logger;
  /** ECS_IMAGE_PULL_TIMEOUT; a per-call `timeoutMs` wins. */
  pullTimeoutMs?: number;
  /** ECS_CONTAINER_CREATE_TIMEOUT (default: the real agent's 4m). */
  createTimeoutMs?: number;
  /** ECS_CONTAINER_START_TIMEOUT (default: the real agent's 3m). */
  startTimeoutMs?: number;
  /** ECS_EXCLUDE_IPV6_PORTBINDING (real agent default true): report IPv4 host bindings only. */
  excludeIpv6PortBindings?: boolean;
}

const TASK_ARN_LABEL = 'com.amazonaws.ecs.task-arn';

export class DockerodeEngine implements DockerEngine {
  #options: DockerodeEngineOptions;
  #client: Promise<Dockerode> | undefined;
  /** Image inspection, listing and removal for image tracking and cleanup (images/). */
  readonly images = new DockerodeImages(() => this.#docker());

  constructor(options: DockerodeEngineOptions) {
    this.#options = options;
  }

  async version(): Promise<{ version: string; apiVersion: string }> {
    const v = await timed(DOCKER_TIMEOUTS_MS.version, async (abortSignal) => versionOf(await this.#docker(), abortSignal));
    return { version: v.Version, apiVersion: v.ApiVersion };
  }

  async imageExists(ref: string): Promise<boolean> {
    const docker = await this.#docker();
    try {
      await timed(DOCKER_TIMEOUTS_MS.inspectImage, (abortSignal) => withSignal(docker.getImage(ref), 'inspect', abortSignal));
      return true;
    } catch (err) {
      if (dockerStatusCode(err) === 404) return false;
      throw err;
    }
  }

  async pullImage(ref: string, o: Partial<PullOptions> = {}): Promise<void> {
    await pullWithDockerode(() => this.#docker(), ref, { ...o, timeoutMs: o.timeoutMs ?? this.#options.pullTimeoutMs ?? DOCKER_TIMEOUTS_MS.pull });
  }

  async createContainer(spec: ContainerCreateSpec): Promise<{ id: string }> {
    try {
      const docker = await this.#docker();
      const c = await timed(this.#options.createTimeoutMs ?? DOCKER_TIMEOUTS_MS.create, (abortSignal) =>
        docker.createContainer({ ...spec.config, name: spec.name, abortSignal } as Dockerode.ContainerCreateOptions));
      return { id: c.id };
    } catch (err) {
      throw new CannotCreateContainerError(dockerMessage(err), { cause: err });
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      const docker = await this.#docker();
      await timed(this.#options.startTimeoutMs ?? DOCKER_TIMEOUTS_MS.start, (abortSignal) => docker.getContainer(id).start({ abortSignal }));
    } catch (err) {
      if (dockerStatusCode(err) === 304) return; // already started
      throw new CannotStartContainerError(dockerMessage(err), { cause: err });
    }
  }

  async stopContainer(id: string, timeoutSec: number): Promise<void> {
    const t = Math.max(0, Math.ceil(timeoutSec));
    try {
      const docker = await this.#docker();
      await timed(t * 1000 + DOCKER_TIMEOUTS_MS.stopExtra, (abortSignal) => docker.getContainer(id).stop({ t, abortSignal }));
    } catch (err) {
      if (dockerStatusCode(err) === 304) return; // already stopped
      throw new CannotStopContainerError(dockerMessage(err), { cause: err });
    }
  }

  async inspectContainer(id: string): Promise<ContainerInspection> {
    try {
      const docker = await this.#docker();
      const info = await timed(DOCKER_TIMEOUTS_MS.inspect, (abortSignal) => docker.getContainer(id).inspect({ abortSignal }));
      return {
        id: info.Id,
        name: info.Name.replace(/^\//, ''),
        running: info.State.Running,
        exitCode: info.State.ExitCode,
        ...optionalTime('startedAt', info.State.StartedAt),
        ...optionalTime('finishedAt', info.State.FinishedAt),
        oomKilled: info.State.OOMKilled,
        portBindings: toNetworkBindings(info.NetworkSettings?.Ports)
          .filter((b) => this.#options.excludeIpv6PortBindings === false || !b.bindIP.includes(':')),
        labels: info.Config.Labels ?? {},
        ...healthOf(info.State.Health?.Status),
      };
    } catch (err) {
      throw new CannotInspectContainerError(dockerMessage(err), { cause: err });
    }
  }

  async removeContainer(id: string, o: { force?: boolean } = {}): Promise<void> {
    try {
      const docker = await this.#docker();
      await timed(DOCKER_TIMEOUTS_MS.remove, (abortSignal) => docker.getContainer(id).remove({ force: o.force ?? false, v: true, abortSignal }));
    } catch (err) {
      if (dockerStatusCode(err) === 404) return; // already gone
      throw new CannotRemoveContainerError(dockerMessage(err), { cause: err });
    }
  }

  async listContainers(o: { labels: string[] }): Promise<ContainerSummary[]> {
    try {
      const docker = await this.#docker();
      const list = await timed(DOCKER_TIMEOUTS_MS.list, (abortSignal) =>
        docker.listContainers({ all: true, filters: { label: o.labels }, abortSignal }));
      return list.map((c) => {
        // `docker ps` status text carries the health: "Up 5 seconds (healthy)", "(health: starting)".
        const health = /\((healthy|unhealthy|health: starting)\)/.exec(c.Status ?? '')?.[1];
        return {
          id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), state: c.State, labels: c.Labels ?? {},
          ...(health ? { health: health === 'health: starting' ? 'starting' as const : health as 'healthy' | 'unhealthy' } : {}),
        };
      });
    } catch (err) {
      throw new CannotListContainersError(dockerMessage(err), { cause: err });
    }
  }

  async listVolumes(o: { labels: string[] }): Promise<string[]> {
    try {
      const docker = await this.#docker();
      const out = await timed(DOCKER_TIMEOUTS_MS.list, (abortSignal) =>
        docker.listVolumes({ filters: { label: o.labels }, abortSignal } as never) as unknown as Promise<{ Volumes?: Array<{ Name: string }> | null }>);
      return (out.Volumes ?? []).map((v) => v.Name);
    } catch (err) {
      throw new CannotListVolumesError(dockerMessage(err), { cause: err });
    }
  }

  /** A volume's driver, options and labels; undefined when Docker has none of that name. */
  async inspectVolume(name: string): Promise<{ name: string; driver: string; options: Record<string, string>; labels: Record<string, string> } | undefined> {
    const docker = await this.#docker();
    try {
      const v = await timed(DOCKER_TIMEOUTS_MS.inspect, (abortSignal) =>
        docker.getVolume(name).inspect({ abortSignal } as never) as unknown as Promise<{ Name: string; Driver: string; Options?: Record<string, string> | null; Labels?: Record<string, string> | null }>);
      return { name: v.Name, driver: v.Driver, options: v.Options ?? {}, labels: v.Labels ?? {} };
    } catch (err) {
      if (dockerStatusCode(err) === 404) return undefined;
      throw new Error(dockerMessage(err), { cause: err });
    }
  }

  async removeVolume(name: string): Promise<void> {
    try {
      const docker = await this.#docker();
      await timed(DOCKER_TIMEOUTS_MS.remove, (abortSignal) => docker.getVolume(name).remove({ abortSignal } as never) as unknown as Promise<unknown>);
    } catch (err) {
      if (dockerStatusCode(err) === 404) return; // already gone
      throw new CannotRemoveVolumeError(dockerMessage(err), { cause: err });
    }
  }

  async containerStats(id: string): Promise<StatsSample> {
    const docker = await this.#docker();
    const json = await timed(DOCKER_TIMEOUTS_MS.inspect, (abortSignal) =>
      docker.getContainer(id).stats({ stream: false, abortSignal } as never) as unknown as Promise<unknown>);
    return parseDockerStats(json);
  }

  events(listener: (event: ContainerEvent) => void, o: { onReconnect?: () => void } = {}): EventSubscription {
    const logger = this.#options.logger.child({ component: 'docker-events' });
    return subscribeToEvents(async (since, abortSignal) => {
      const docker = await this.#docker();
      // Docker matches `health_status` as a prefix of its "health_status: <status>" actions.
      const filters = { type: ['container'], event: ['start', 'die', 'oom', 'kill', 'destroy', 'health_status'], label: [TASK_ARN_LABEL] };
      return (await docker.getEvents({ filters, ...(since ? { since } : {}), abortSignal } as never)) as unknown as NodeJS.ReadableStream;
    }, listener, logger, o.onReconnect);
  }

  /** The pinned client, created on first use; a failed attempt is retried on the next call. */
  #docker(): Promise<Dockerode> {
    this.#client ??= this.#connect().catch((err: unknown) => {
      this.#client = undefined;
      throw err;
    });
    return this.#client;
  }

  async #connect(): Promise<Dockerode> {
    const { default: Docker } = await import('dockerode');
    const target = connection(this.#options.dockerHost ?? 'unix:///var/run/docker.sock');
    const probe = new Docker(target);
    const v = await timed(DOCKER_TIMEOUTS_MS.version, (abortSignal) => versionOf(probe, abortSignal));
    this.#options.logger.debug({ apiVersion: v.ApiVersion, dockerVersion: v.Version }, 'pinned Docker API version');
    return new Docker({ ...target, version: `v${v.ApiVersion}` });
  }
}

// @types/dockerode lags behind dockerode 5: these calls take an options object with `abortSignal`.
function versionOf(docker: Dockerode, abortSignal: AbortSignal): Promise<Dockerode.DockerVersion> {
  return withSignal(docker, 'version', abortSignal) as Promise<Dockerode.DockerVersion>;
}

function withSignal<T extends object>(target: T, method: keyof T, abortSignal: AbortSignal): Promise<unknown> {
  const fn = target[method] as unknown as (opts: { abortSignal: AbortSignal }) => Promise<unknown>;
  return fn.call(target, { abortSignal });
}

function connection(dockerHost: string): Dockerode.DockerOptions {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { protocol: url.protocol === 'https:' ? 'https' : 'http', host: url.hostname, port: Number(url.port || 2375) };
}

function healthOf(status: string | undefined): { health?: DockerHealth } {
  return status === 'healthy' || status === 'unhealthy' || status === 'starting' ? { health: status } : {};
}

function optionalTime<K extends string>(key: K, iso: string | undefined): Partial<Record<K, number>> {
  // Docker's zero time ("0001-01-01T00:00:00Z") means "never".
  if (!iso || iso.startsWith('0001-')) return {};
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? {} : ({ [key]: ms } as Partial<Record<K, number>>);
}

type DockerPorts = Record<string, Array<{ HostIp: string; HostPort: string }> | null> | undefined;

function toNetworkBindings(ports: DockerPorts): NetworkBinding[] {
  const out: NetworkBinding[] = [];
  for (const [key, bindings] of Object.entries(ports ?? {})) {
    const [port, proto] = key.split('/');
    for (const b of bindings ?? []) {
      out.push({ bindIP: b.HostIp, containerPort: Number(port), hostPort: Number(b.HostPort), protocol: proto === 'udp' ? 'udp' : 'tcp' });
    }
  }
  return out;
}
