// The latest telemetry per container instance, as TCS delivers it: task metrics (per task), the
// instance's container-runtime status, and container health (per task). Only the latest of each
// is kept; nothing reads history. A metrics or health report can span several frames, the last
// one marked `fin`; a task that no full report mentioned is dropped when the report ends, so
// stopped tasks leave the view.
import { toEpochSeconds } from '../protocol/ecs-wire.ts';
import { CONTAINER_HEALTH_STATUSES, type ContainerHealthStatus, type TaskHealth } from '../protocol/tcs-health.ts';
import type { TaskMetric, TcsOutbound } from '../protocol/tcs-frames.ts';
import { isOneOf } from '../protocol/statuses.ts';

type MessageOf<T extends TcsOutbound['type']> = Extract<TcsOutbound, { type: T }>['message'];

/** Per-task entries of a report that can span frames. */
interface PerTask<T> {
  latest: Map<string, { receivedAt: number; value: T }>;
  /** Tasks mentioned since the last `fin`. */
  cycle: Set<string>;
}

interface InstanceTelemetry {
  cluster: string;
  lastMetricsAt?: number;
  idle?: boolean;
  metrics: PerTask<TaskMetric>;
  instanceStatus?: { receivedAt: number; statuses: MessageOf<'PublishInstanceStatusRequest'>['statuses']; timestamp: number };
  health: PerTask<TaskHealth>;
  lastHealthAt?: number;
}

export interface TelemetryStore {
  recordMetrics(instanceArn: string, m: MessageOf<'PublishMetricsRequest'>, at: number): void;
  recordInstanceStatus(instanceArn: string, m: MessageOf<'PublishInstanceStatusRequest'>, at: number): void;
  recordHealth(instanceArn: string, m: MessageOf<'PublishHealthRequest'>, at: number): void;
  /** Latest reported health of each container of a task (by container name). */
  containerHealth(taskArn: string): Map<string, ContainerHealthStatus>;
  /** The JSON that GET /dockhand/telemetry answers. */
  view(instanceArn?: string): { instances: Record<string, unknown> };
}

function update<T>(p: PerTask<T>, entries: Array<[string, T]>, fin: boolean, at: number): void {
  for (const [arn, value] of entries) {
    p.latest.set(arn, { receivedAt: at, value });
    p.cycle.add(arn);
  }
  if (!fin) return;
  for (const arn of [...p.latest.keys()]) if (!p.cycle.has(arn)) p.latest.delete(arn);
  p.cycle.clear();
}

const secs = (ms: number | undefined) => (ms === undefined ? null : toEpochSeconds(ms));

export function createTelemetryStore(): TelemetryStore {
  const instances = new Map<string, InstanceTelemetry>();

  function instance(arn: string, cluster: string): InstanceTelemetry {
    let t = instances.get(arn);
    if (!t) instances.set(arn, (t = { cluster, metrics: { latest: new Map(), cycle: new Set() }, health: { latest: new Map(), cycle: new Set() } }));
    if (cluster) t.cluster = cluster;
    return t;
  }

  return {
    recordMetrics(arn, m, at) {
      const t = instance(arn, m.metadata?.cluster ?? '');
      t.lastMetricsAt = at;
      t.idle = m.metadata?.idle === true;
      const tasks = Array.isArray(m.taskMetrics) ? m.taskMetrics.filter((x) => typeof x?.taskArn === 'string') : [];
      // A missing fin is a one-frame report.
      update(t.metrics, tasks.map((x) => [x.taskArn, x]), m.metadata?.fin !== false, at);
    },
    recordInstanceStatus(arn, m, at) {
      instance(arn, m.metadata?.cluster ?? '').instanceStatus = { receivedAt: at, statuses: Array.isArray(m.statuses) ? m.statuses : [], timestamp: m.timestamp };
    },
    recordHealth(arn, m, at) {
      const t = instance(arn, m.metadata?.cluster ?? '');
      t.lastHealthAt = at;
      const tasks = (Array.isArray(m.tasks) ? m.tasks : []).filter(
        (x): x is TaskHealth => typeof (x as TaskHealth)?.taskArn === 'string' && Array.isArray((x as TaskHealth).containers),
      );
      update(t.health, tasks.map((x) => [x.taskArn, x]), m.metadata?.fin !== false, at);
    },
    containerHealth(taskArn) {
      const out = new Map<string, ContainerHealthStatus>();
      for (const t of instances.values()) {
        const h = t.health.latest.get(taskArn);
        for (const c of h?.value.containers ?? []) {
          if (typeof c?.containerName === 'string' && isOneOf(CONTAINER_HEALTH_STATUSES, c.healthStatus)) out.set(c.containerName, c.healthStatus);
        }
      }
      return out;
    },
    view(only) {
      const out: Record<string, unknown> = {};
      for (const [arn, t] of instances) {
        if (only && arn !== only) continue;
        out[arn] = {
          cluster: t.cluster,
          lastMetricsAt: secs(t.lastMetricsAt),
          idle: t.idle ?? null,
          tasks: [...t.metrics.latest.values()].map((e) => ({ ...e.value, receivedAt: secs(e.receivedAt) })),
          instanceStatus: t.instanceStatus ? { statuses: t.instanceStatus.statuses, timestamp: t.instanceStatus.timestamp, receivedAt: secs(t.instanceStatus.receivedAt) } : null,
          health: t.lastHealthAt === undefined ? null : {
            receivedAt: secs(t.lastHealthAt),
            tasks: [...t.health.latest.values()].map((e) => e.value),
          },
        };
      }
      return { instances: out };
    },
  };
}
