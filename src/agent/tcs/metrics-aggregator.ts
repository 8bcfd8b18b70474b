// Turns polled Docker stats samples into TCS stat sets. Docker is polled (one-shot stats), never
// streamed: a stats stream per container leaks dockerd memory (real agent issue #505).
import type { ContainerMetric, StatSet, TaskMetric, UlongStatSet } from '../../protocol/tcs-frames.ts';
import type { StatsSample } from '../docker/container-stats.ts';

export type { StatsSample };

export function statSet(values: number[]): StatSet {
  if (values.length === 0) return { max: 0, min: 0, sampleCount: 0, sum: 0 };
  return { max: Math.max(...values), min: Math.min(...values), sampleCount: values.length, sum: values.reduce((a, b) => a + b, 0) };
}

function ulong(values: number[]): UlongStatSet {
  return { ...statSet(values), overflowMax: 0, overflowMin: 0, overflowSum: 0 };
}

/** CPU percent between consecutive samples, as `docker stats` computes it. */
export function cpuPercents(samples: StatsSample[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const cpu = b.cpuTotalNs - a.cpuTotalNs;
    const sys = b.systemCpuNs - a.systemCpuNs;
    out.push(sys > 0 && cpu >= 0 ? (cpu / sys) * b.onlineCpus * 100 : 0);
  }
  return out;
}

function perSecond(samples: StatsSample[], pick: (s: StatsSample) => number): number[] {
  const out: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const dt = (samples[i]!.at - samples[i - 1]!.at) / 1000;
    out.push(dt > 0 ? Math.max(0, (pick(samples[i]!) - pick(samples[i - 1]!)) / dt) : 0);
  }
  return out;
}

export function containerMetric(containerName: string, samples: StatsSample[]): ContainerMetric {
  const col = (pick: (s: StatsSample) => number): number[] => samples.map(pick);
  return {
    containerName,
    cpuStatsSet: statSet(cpuPercents(samples)),
    memoryStatsSet: statSet(col((s) => s.memoryBytes / 1048576)),
    networkStatsSet: {
      rxBytes: ulong(col((s) => s.rxBytes)),
      rxBytesPerSecond: statSet(perSecond(samples, (s) => s.rxBytes)),
      rxDropped: ulong(col((s) => s.rxDropped)),
      rxErrors: ulong(col((s) => s.rxErrors)),
      rxPackets: ulong(col((s) => s.rxPackets)),
      txBytes: ulong(col((s) => s.txBytes)),
      txBytesPerSecond: statSet(perSecond(samples, (s) => s.txBytes)),
      txDropped: ulong(col((s) => s.txDropped)),
      txErrors: ulong(col((s) => s.txErrors)),
      txPackets: ulong(col((s) => s.txPackets)),
    },
    storageStatsSet: { readSizeBytes: ulong(col((s) => s.readBytes)), writeSizeBytes: ulong(col((s) => s.writeBytes)) },
  };
}

export interface TaskSamples {
  taskArn: string;
  family: string;
  version: string;
  containers: Array<{ name: string; samples: StatsSample[] }>;
}

export function taskMetrics(tasks: TaskSamples[]): TaskMetric[] {
  return tasks
    .map((t) => ({
      taskArn: t.taskArn,
      taskDefinitionFamily: t.family,
      taskDefinitionVersion: t.version,
      containerMetrics: t.containers.filter((c) => c.samples.length > 0).map((c) => containerMetric(c.name, c.samples)),
    }))
    .filter((t) => t.containerMetrics.length > 0);
}
