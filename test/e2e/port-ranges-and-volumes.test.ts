// containerPortRange and shared Docker volumes through `dockhand local` on real Docker: a range
// gets a contiguous block of host ports from the dynamic host port range (never the same block
// for two containers), is reported as one binding and answers on the host; a shared volume with
// autoprovision false is used when it exists and fails the task with a reason when it does not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { execFileSync } from 'node:child_process';
import { RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type ContainerDefinition, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { containersOfTask, docker, removeTaskContainers, startLocalHarness, TEST_IMAGE, type LocalHarness } from './local-harness.ts';

let h: LocalHarness;
const EXISTING = `dockhand-e2e-existing-${process.pid}`;
const MISSING = `dockhand-e2e-missing-${process.pid}`;
const started: string[] = [];
// A small dynamic range of our own, so that the assertions can name it.
const RANGE = { start: 45100, end: 45199 };
beforeAll(async () => { h = await startLocalHarness({ ECS_DYNAMIC_HOST_PORT_RANGE: `${RANGE.start}-${RANGE.end}` }); });
afterAll(async () => {
  await h?.stop();
  await removeTaskContainers(started);
  for (const v of [EXISTING, MISSING]) await docker.getVolume(v).remove().catch(() => undefined);
});

async function run(input: RegisterTaskDefinitionCommandInput) {
  await h.client.send(new RegisterTaskDefinitionCommand(input));
  const out = await h.client.send(new RunTaskCommand({ cluster: 'default', taskDefinition: input.family }));
  const task = out.tasks?.[0];
  if (!task?.taskArn) throw new Error(`RunTask placed nothing: ${JSON.stringify(out.failures)}`);
  started.push(task.taskArn);
  return task;
}

function readLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let data = '';
    s.on('data', (d) => { data += d.toString(); });
    s.on('end', () => resolve(data.trim()));
    s.on('error', reject);
    s.setTimeout(5_000, () => { s.destroy(); reject(new Error(`no answer on ${port}`)); });
  });
}

describe('containerPortRange', () => {
  it('maps each port onto a contiguous host block from the dynamic range, reports one binding, and answers', async () => {
    const ranged = (name: string, range: string, protocol: 'tcp' | 'udp', command: string[]): ContainerDefinition => ({
      name, image: TEST_IMAGE, memory: 16, stopTimeout: 1, command, portMappings: [{ containerPortRange: range, protocol }],
    });
    const task = await run({
      family: 'e2e-port-ranges',
      containerDefinitions: [
        ranged('web', '7100-7103', 'tcp', ['nc', '-ll', '-p', '7102', '-e', 'echo', 'range-ok']),
        ranged('dns', '7100-7103', 'udp', ['sleep', '3600']),
        ranged('other', '8100-8102', 'tcp', ['sleep', '3600']),
      ],
    });
    const { task: t } = await h.waitForTask(task.taskArn!, (x) => x.lastStatus === 'RUNNING' || x.lastStatus === 'STOPPED', 30_000);
    expect(t.lastStatus, JSON.stringify(t)).toBe('RUNNING');

    const blocks: Array<{ start: number; end: number }> = [];
    for (const [name, range, protocol] of [['web', '7100-7103', 'tcp'], ['dns', '7100-7103', 'udp'], ['other', '8100-8102', 'tcp']] as const) {
      const b = t.containers?.find((c) => c.name === name)?.networkBindings?.find((x) => x.containerPortRange === range && x.bindIP === '0.0.0.0');
      expect(b, name).toMatchObject({ protocol, containerPortRange: range, hostPortRange: expect.stringMatching(/^\d+-\d+$/) });
      const [start, end] = b!.hostPortRange!.split('-').map(Number) as [number, number];
      expect(end - start, name).toBe(Number(range.split('-')[1]) - Number(range.split('-')[0]));
      expect(start >= RANGE.start && end <= RANGE.end, `${name}: ${start}-${end}`).toBe(true);
      blocks.push({ start, end });
      // Docker agrees, port by port.
      const c = (await containersOfTask(task.taskArn!)).find((x) => x.Labels['com.amazonaws.ecs.container-name'] === name)!;
      const bindings = (await docker.getContainer(c.Id).inspect()).HostConfig.PortBindings as Record<string, Array<{ HostPort: string }>>;
      expect(bindings[`${range.split('-')[0]}/${protocol}`]).toEqual([{ HostIp: '', HostPort: String(start) }]);
    }
    // Nothing is bound until the containers start, yet no two blocks overlap.
    const tcp = [blocks[0]!, blocks[2]!];
    expect(tcp[0]!.end < tcp[1]!.start || tcp[1]!.end < tcp[0]!.start).toBe(true);
    // containerPort 7102 is the third port of the web block.
    expect(await readLine(blocks[0]!.start + 2)).toBe('range-ok');
    await h.client.send(new StopTaskCommand({ cluster: 'default', task: task.taskArn! }));
  }, 60_000);
});

describe('shared Docker volumes and autoprovision', () => {
  const shared = (name: string) => ({ name, dockerVolumeConfiguration: { scope: 'shared' as const, autoprovision: false, driver: 'local' } });
  const reader = (volume: string): ContainerDefinition => ({
    name: 'reader', image: TEST_IMAGE, memory: 16, stopTimeout: 1, command: ['sh', '-c', 'cat /v/marker; exec sleep 3600'],
    mountPoints: [{ sourceVolume: volume, containerPath: '/v' }],
  });

  it('autoprovision false: an existing volume is mounted as it is', async () => {
    await docker.createVolume({ Name: EXISTING, Labels: { 'dockhand-e2e': 'volumes' } });
    execFileSync('docker', ['run', '--rm', '--label', 'dockhand-e2e=volumes', '-v', `${EXISTING}:/v`, TEST_IMAGE, 'sh', '-c', 'echo from-before > /v/marker']);
    const task = await run({ family: 'e2e-vol-existing', containerDefinitions: [reader(EXISTING)], volumes: [shared(EXISTING)] });
    const { task: t } = await h.waitForTask(task.taskArn!, (x) => x.lastStatus === 'RUNNING' || x.lastStatus === 'STOPPED', 30_000);
    expect(t.lastStatus, JSON.stringify(t)).toBe('RUNNING');
    const c = (await containersOfTask(task.taskArn!))[0]!;
    const info = await docker.getContainer(c.Id).inspect();
    expect(info.Mounts.find((m) => m.Destination === '/v')).toMatchObject({ Type: 'volume', Name: EXISTING });
    const logs = (await docker.getContainer(c.Id).logs({ stdout: true, stderr: true })).toString();
    expect(logs).toContain('from-before');
    await h.client.send(new StopTaskCommand({ cluster: 'default', task: task.taskArn! }));
  }, 45_000);

  it('autoprovision false: a missing volume stops the task with a VolumeError reason, and Docker does not create it', async () => {
    const task = await run({ family: 'e2e-vol-missing', containerDefinitions: [reader(MISSING)], volumes: [shared(MISSING)] });
    const { task: t } = await h.waitForTask(task.taskArn!, (x) => x.lastStatus === 'STOPPED', 30_000);
    const reason = `VolumeError: Agent could not create task's volume resources: volume '${MISSING}' does not exist and autoprovision is set to false`;
    expect(t.stoppedReason).toBe(reason);
    expect(t.stopCode).toBe('TaskFailedToStart');
    expect(t.containers?.[0]?.reason).toBe(reason);
    expect(await containersOfTask(task.taskArn!)).toEqual([]);
    await expect(docker.getVolume(MISSING).inspect()).rejects.toMatchObject({ statusCode: 404 });
  }, 45_000);
});
