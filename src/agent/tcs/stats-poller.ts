// Polls Docker for one stats sample per running task container every few seconds (one-shot
// `stats?stream=false`, never a stream) and hands TCS the samples gathered since its last publish.
// Which containers to poll comes from Docker's own list, by the ECS labels the agent sets.
import type { Logger } from 'pino';
import type { ContainerSummary } from '../docker/docker-engine.ts';
import type { TaskMetric } from '../../protocol/tcs-frames.ts';
import type { ContainerHealthStatus, TaskHealth } from '../../protocol/tcs-health.ts';
import { taskMetrics, type StatsSample, type TaskSamples } from './metrics-aggregator.ts';
import type { MetricsSource } from './tcs-session.ts';

export interface StatsDocker {
  listContainers(o: { labels: string[] }): Promise<ContainerSummary[]>;
  containerStats(id: string): Promise<StatsSample>;
}

const L = {
  cluster: 'com.amazonaws.ecs.cluster',
  taskArn: 'com.amazonaws.ecs.task-arn',
  name: 'com.amazonaws.ecs.container-name',
  family: 'com.amazonaws.ecs.task-definition-family',
  version: 'com.amazonaws.ecs.task-definition-version',
};

export class StatsPoller implements MetricsSource {
  readonly #docker: StatsDocker;
  readonly #cluster: string;
  readonly #log: Logger;
  readonly #intervalMs: number;
  /** Samples per container id since the last collect(). */
  #samples = new Map<string, { summary: ContainerSummary; samples: StatsSample[] }>();
  /** Latest health per checked container, with when that status was first seen. */
  #health = new Map<string, { summary: ContainerSummary; status: ContainerHealthStatus; since: number }>();
  #timer: NodeJS.Timeout | undefined;
  #polling = false;

  constructor(o: { docker: StatsDocker; cluster: string; logger: Logger; intervalMs?: number }) {
    this.#docker = o.docker;
    this.#cluster = o.cluster;
    this.#log = o.logger;
    this.#intervalMs = o.intervalMs ?? 5000;
  }

  start(): void {
    this.#timer = setInterval(() => void this.poll(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One round: a sample of every running container of this cluster's tasks. */
  async poll(): Promise<void> {
    if (this.#polling) return; // a slow Docker never stacks rounds up
    this.#polling = true;
    try {
      const running = (await this.#docker.listContainers({ labels: [`${L.cluster}=${this.#cluster}`] })).filter((c) => c.state === 'running');
      this.#recordHealth(running);
      await Promise.all(running.map(async (c) => {
        try {
          const sample = await this.#docker.containerStats(c.id);
          const entry = this.#samples.get(c.id) ?? { summary: c, samples: [] };
          entry.samples.push(sample);
          this.#samples.set(c.id, entry);
        } catch (err) {
          this.#log.debug({ dockerId: c.id, err: (err as Error).message }, 'stats sample failed');
        }
      }));
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'cannot list containers for metrics');
    } finally {
      this.#polling = false;
    }
  }

  #recordHealth(running: ContainerSummary[]): void {
    const seen = new Set<string>();
    for (const c of running) {
      if (!c.health) continue;
      seen.add(c.id);
      const status: ContainerHealthStatus = c.health === 'healthy' ? 'HEALTHY' : c.health === 'unhealthy' ? 'UNHEALTHY' : 'UNKNOWN';
      const prev = this.#health.get(c.id);
      this.#health.set(c.id, { summary: c, status, since: prev?.status === status ? prev.since : Date.now() / 1000 });
    }
    for (const id of this.#health.keys()) if (!seen.has(id)) this.#health.delete(id);
  }

  /** Tasks with health-checked containers, for PublishHealthRequest. */
  health(): TaskHealth[] {
    const byTask = new Map<string, TaskHealth>();
    for (const { summary, status, since } of this.#health.values()) {
      const arn = summary.labels[L.taskArn];
      if (!arn) continue;
      const task = byTask.get(arn) ?? { taskArn: arn, taskDefinitionFamily: summary.labels[L.family] ?? '', taskDefinitionVersion: summary.labels[L.version] ?? '', containers: [] };
      task.containers.push({ containerName: summary.labels[L.name] ?? summary.name, healthStatus: status, statusSince: since });
      byTask.set(arn, task);
    }
    return [...byTask.values()];
  }

  async collect(): Promise<TaskMetric[]> {
    const byTask = new Map<string, TaskSamples>();
    for (const { summary, samples } of this.#samples.values()) {
      const arn = summary.labels[L.taskArn];
      if (!arn) continue;
      const task = byTask.get(arn) ?? { taskArn: arn, family: summary.labels[L.family] ?? '', version: summary.labels[L.version] ?? '', containers: [] };
      task.containers.push({ name: summary.labels[L.name] ?? summary.name, samples });
      byTask.set(arn, task);
    }
    // Keep each container's last sample so the next window's rates start from it.
    for (const [id, entry] of this.#samples) this.#samples.set(id, { summary: entry.summary, samples: entry.samples.slice(-1) });
    return taskMetrics([...byTask.values()]);
  }
}
