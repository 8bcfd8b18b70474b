// TCS end to end through `dockhand local`: the agent polls Docker stats and health, publishes them
// over the signed TCS websocket, and the control plane keeps the latest per task and instance —
// readable at GET /dockhand/telemetry, and as healthStatus in DescribeTasks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalHarness, sleep, TEST_IMAGE, type LocalHarness } from './local-harness.ts';

interface Telemetry {
  instances: Record<string, {
    idle: boolean;
    tasks: Array<{ taskArn: string; containerMetrics: Array<{ containerName: string; memoryStatsSet?: { sampleCount: number; max: number } }> }>;
    instanceStatus: { statuses: Array<{ type: string; status: string }> } | null;
    health: { tasks: Array<{ taskArn: string; containers: Array<{ containerName: string; healthStatus: string }> }> } | null;
  }>;
}

let h: LocalHarness;
beforeAll(async () => {
  h = await startLocalHarness({ ECS_POLLING_METRICS_WAIT_DURATION: '1s', DOCKHAND_TCS_PUBLISH_INTERVAL: '1s' });
});
afterAll(async () => { await h?.stop(); });

describe('telemetry through dockhand local', () => {
  it('metrics and container health reach the control plane', async () => {
    const task = await h.runTask('e2e-telemetry', [{
      name: 'checked', image: TEST_IMAGE, memory: 32, command: ['sleep', '3600'],
      healthCheck: { command: ['CMD-SHELL', 'true'], interval: 5, timeout: 2, retries: 1, startPeriod: 0 },
    }]);
    const arn = task.taskArn!;
    let seen: Telemetry['instances'][string] | undefined;
    for (let i = 0; i < 100; i++) {
      const t = await (await fetch(`${h.url}/dockhand/telemetry`)).json() as Telemetry;
      const instance = Object.values(t.instances)[0];
      const metrics = instance?.tasks.find((x) => x.taskArn === arn);
      const health = instance?.health?.tasks.find((x) => x.taskArn === arn);
      if (metrics?.containerMetrics[0]?.memoryStatsSet?.sampleCount && health?.containers[0]?.healthStatus === 'HEALTHY') { seen = instance; break; }
      await sleep(250);
    }
    expect(seen).toBeDefined();
    expect(seen!.idle).toBe(false);
    const metrics = seen!.tasks.find((x) => x.taskArn === arn)!;
    expect(metrics.containerMetrics[0]!.containerName).toBe('checked');
    expect(metrics.containerMetrics[0]!.memoryStatsSet!.max).toBeGreaterThan(0);
    expect(seen!.instanceStatus!.statuses[0]).toMatchObject({ type: 'ContainerRuntime', status: 'OK' });

    const described = await h.describeTask(arn);
    expect(described.containers![0]!.healthStatus).toBe('HEALTHY');
    expect(described.healthStatus).toBe('HEALTHY');
  });
});
