// TCS metrics from real Docker: the stats poller samples a running task container with one-shot
// stats calls, and the aggregator turns the samples into the stat sets the real agent publishes.
import { afterAll, describe, expect, it } from 'vitest';
import Docker from 'dockerode';
import pino from 'pino';
import { DockerodeEngine } from '../../src/agent/docker/dockerode-engine.ts';
import { parseDockerStats } from '../../src/agent/docker/container-stats.ts';
import { StatsPoller } from '../../src/agent/tcs/stats-poller.ts';
import { cpuPercents, statSet } from '../../src/agent/tcs/metrics-aggregator.ts';

const docker = new Docker();
const RUN = `tcs-${process.pid}-${Date.now()}`;
const created: string[] = [];
afterAll(async () => { await Promise.all(created.map((id) => docker.getContainer(id).remove({ force: true }).catch(() => undefined))); });

describe('stat sets', () => {
  it('min / max / sum / count, and CPU percent between samples as docker stats computes it', () => {
    expect(statSet([3, 1, 2])).toEqual({ max: 3, min: 1, sampleCount: 3, sum: 6 });
    expect(statSet([])).toEqual({ max: 0, min: 0, sampleCount: 0, sum: 0 });
    const base = parseDockerStats({ read: '2026-11-23T00:00:00Z', cpu_stats: { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0, online_cpus: 2 } });
    const next = parseDockerStats({ read: '2026-11-23T00:00:01Z', cpu_stats: { cpu_usage: { total_usage: 250 }, system_cpu_usage: 1000, online_cpus: 2 } });
    expect(cpuPercents([base, next])).toEqual([50]);
  });

  it('parses memory without page cache, network and block I/O totals', () => {
    const s = parseDockerStats({
      memory_stats: { usage: 10_000, stats: { inactive_file: 4_000 } },
      networks: { eth0: { rx_bytes: 10, tx_bytes: 20, rx_packets: 1, tx_packets: 2 }, eth1: { rx_bytes: 5 } },
      blkio_stats: { io_service_bytes_recursive: [{ op: 'Read', value: 7 }, { op: 'Write', value: 9 }, { op: 'Read', value: 1 }] },
    }, 42);
    expect(s).toMatchObject({ at: 42, memoryBytes: 6_000, rxBytes: 15, txBytes: 20, rxPackets: 1, txPackets: 2, readBytes: 8, writeBytes: 9 });
  });
});

describe('StatsPoller on real Docker', () => {
  it('samples a running ECS-labelled container and reports its task metrics', async () => {
    const c = await docker.createContainer({
      Image: 'local/busybox:latest', Cmd: ['sh', '-c', 'x=; while true; do x="$x."; sleep 0.05; done'],
      Labels: {
        'dockhand.test': RUN, 'com.amazonaws.ecs.cluster': RUN, 'com.amazonaws.ecs.task-arn': `arn:aws:ecs:us-east-1:0:task/${RUN}/t1`,
        'com.amazonaws.ecs.container-name': 'busy', 'com.amazonaws.ecs.task-definition-family': 'fam', 'com.amazonaws.ecs.task-definition-version': '4',
      },
      HostConfig: { Memory: 64 * 1048576 },
    });
    created.push(c.id);
    await c.start();
    const engine = new DockerodeEngine({ logger: pino({ level: 'silent' }) });
    const poller = new StatsPoller({ docker: engine, cluster: RUN, logger: pino({ level: 'silent' }) });
    await poller.poll();
    await new Promise((r) => setTimeout(r, 300));
    await poller.poll();
    const metrics = await poller.collect();
    expect(metrics).toHaveLength(1);
    const m = metrics[0]!;
    expect(m).toMatchObject({ taskArn: `arn:aws:ecs:us-east-1:0:task/${RUN}/t1`, taskDefinitionFamily: 'fam', taskDefinitionVersion: '4' });
    const cm = m.containerMetrics[0]!;
    expect(cm.containerName).toBe('busy');
    expect(cm.memoryStatsSet!.sampleCount).toBe(2);
    expect(cm.memoryStatsSet!.max).toBeGreaterThan(0);
    expect(cm.cpuStatsSet!.sampleCount).toBe(1);
    expect(cm.networkStatsSet!.rxBytes!.sampleCount).toBe(2);
    // After a publish, the next window keeps only the last sample (the base for rates).
    const again = await poller.collect();
    expect(again[0]!.containerMetrics[0]!.memoryStatsSet!.sampleCount).toBe(1);
  });
});
