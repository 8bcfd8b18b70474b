// Every ContainerDefinition field that applies to EC2/EXTERNAL reaches Docker: tasks registered
// through `dockhand local` with the fields batched into a few tasks (2-core machine), checked
// against Docker's own inspect and, where it matters, what the container itself sees.
// Task cgroups: task-cgroup-limits.test.ts; port ranges and shared volumes:
// port-ranges-and-volumes.test.ts; what is refused, and why: container-definition-refusals.test.ts.
// essential and stopTimeout: local-task-lifecycle.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegisterTaskDefinitionCommand, RunTaskCommand, type ContainerDefinition } from '@aws-sdk/client-ecs';
import { containersOfTask, docker, removeTaskContainers, sleep, startLocalHarness, TEST_IMAGE, type LocalHarness } from './local-harness.ts';

let h: LocalHarness;
const outDir = mkdtempSync(join(tmpdir(), 'dockhand-fields-'));
const SHARED = `dockhand-e2e-shared-${process.pid}`;
const extraTasks: string[] = [];
beforeAll(async () => { chmodSync(outDir, 0o777); h = await startLocalHarness(); });
afterAll(async () => {
  await h?.stop();
  await removeTaskContainers(extraTasks);
  // Task-scoped volumes carry their task's ARN label; the shared one is ours by name.
  const { Volumes } = await docker.listVolumes({ filters: { label: ['com.amazonaws.ecs.task-arn'] } });
  for (const v of Volumes ?? []) if (v.Labels?.['dockhand-e2e'] === 'fields') await docker.getVolume(v.Name).remove().catch(() => undefined);
  await docker.getVolume(SHARED).remove().catch(() => undefined);
  rmSync(outDir, { recursive: true, force: true });
});

/** Registers the definition as given (volumes and all) and runs one task of it. */
async function run(input: ConstructorParameters<typeof RegisterTaskDefinitionCommand>[0]) {
  await h.client.send(new RegisterTaskDefinitionCommand(input));
  const out = await h.client.send(new RunTaskCommand({ cluster: 'default', taskDefinition: input.family }));
  const task = out.tasks?.[0];
  if (!task?.taskArn) throw new Error(`RunTask placed nothing: ${JSON.stringify(out.failures)}`);
  extraTasks.push(task.taskArn);
  return task;
}

const inspectOf = async (taskArn: string, name: string) => {
  const c = (await containersOfTask(taskArn)).find((x) => x.Labels['com.amazonaws.ecs.container-name'] === name);
  if (!c) throw new Error(`no container ${name}`);
  return docker.getContainer(c.Id).inspect();
};

async function waitForFile(path: string, timeoutMs = 20_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try { return readFileSync(path, 'utf8'); } catch { /* not yet */ }
    if (Date.now() > end) throw new Error(`${path} never appeared`);
    await sleep(100);
  }
}

const SCRIPT = [
  'id -u > /out/id', 'pwd > /out/pwd', 'cat /etc/hosts > /out/hosts', 'cat /etc/resolv.conf > /out/resolv',
  'ulimit -n > /out/nofile', 'hostname > /out/hostname', 'echo "$GREETING" > /out/env',
  "grep ' / ' /proc/mounts > /out/rootfs",
  'echo hi > /scratch/x && echo tmpfs-ok > /out/tmpfs', 'echo data > /data/file',
  'head -c 3 /dev/myzero | wc -c > /out/device', 'cat /proc/sys/net/core/somaxconn > /out/somaxconn',
  'cat /proc/self/status | grep CapBnd > /out/caps', 'cat /proc/1/comm > /out/pid1',
  "df -k /dev/shm | tail -1 | awk '{print $2}' > /out/shm", "df -k /scratch | tail -1 | awk '{print $2}' > /out/tmpfs-size",
  'echo app-stdout', 'echo done > /out/done', 'exec sleep 3600',
].join('; ');

describe('ContainerDefinition fields on real Docker', () => {
  it('maps the common fields into Config / HostConfig / Mounts, and the container sees them', async () => {
    const app: ContainerDefinition = {
      name: 'app', image: TEST_IMAGE, essential: true, cpu: 128, memory: 96, memoryReservation: 48,
      entryPoint: ['sh', '-c'], command: [SCRIPT], environment: [{ name: 'GREETING', value: 'hello world' }],
      workingDirectory: '/tmp', user: '1234', hostname: 'apphost',
      dockerLabels: { team: 'dockhand', 'dockhand-e2e': 'fields' },
      ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 2048 }],
      extraHosts: [{ hostname: 'db.internal', ipAddress: '10.1.2.3' }],
      dnsServers: ['1.1.1.1'], dnsSearchDomains: ['example.internal'],
      dockerSecurityOptions: ['no-new-privileges'], readonlyRootFilesystem: true,
      logConfiguration: { logDriver: 'json-file', options: { 'max-size': '1m' } },
      systemControls: [{ namespace: 'net.core.somaxconn', value: '512' }],
      interactive: true, pseudoTerminal: true, stopTimeout: 2,
      linuxParameters: {
        capabilities: { add: ['NET_ADMIN'], drop: ['MKNOD'] }, initProcessEnabled: true, sharedMemorySize: 32,
        tmpfs: [{ containerPath: '/scratch', size: 16, mountOptions: ['rw'] }], swappiness: 10, maxSwap: 0,
        devices: [{ hostPath: '/dev/zero', containerPath: '/dev/myzero', permissions: ['read'] }],
      },
      portMappings: [
        { containerPort: 8080, protocol: 'tcp' }, { containerPort: 9090, hostPort: 0, protocol: 'udp' },
        { containerPortRange: '7000-7001', protocol: 'tcp' },
      ],
      links: ['db:database'],
      mountPoints: [
        { sourceVolume: 'out', containerPath: '/out' },
        { sourceVolume: 'scratchvol', containerPath: '/data' },
        { sourceVolume: SHARED, containerPath: '/shared', readOnly: true },
      ],
    };
    const db: ContainerDefinition = { name: 'db', image: TEST_IMAGE, essential: false, memory: 32, command: ['sleep', '3600'], stopTimeout: 1 };
    const side: ContainerDefinition = { name: 'side', image: TEST_IMAGE, essential: false, memory: 32, command: ['sleep', '3600'], stopTimeout: 1, volumesFrom: [{ sourceContainer: 'app', readOnly: true }] };
    const isolated: ContainerDefinition = {
      name: 'isolated', image: TEST_IMAGE, essential: false, memory: 32, stopTimeout: 1, disableNetworking: true,
      command: ['sh', '-c', 'ls /sys/class/net > /out/isolated-net; exec sleep 3600'], mountPoints: [{ sourceVolume: 'out', containerPath: '/out' }],
    };
    const task = await run({
      family: 'e2e-fields', containerDefinitions: [app, db, side, isolated],
      volumes: [
        { name: 'out', host: { sourcePath: outDir } },
        { name: 'scratchvol', dockerVolumeConfiguration: { scope: 'task', driver: 'local', driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=8m' }, labels: { 'dockhand-e2e': 'fields' } } },
        { name: SHARED, dockerVolumeConfiguration: { scope: 'shared', autoprovision: true, driver: 'local', labels: { purpose: 'e2e' } } },
      ],
    });
    const { task: running } = await h.waitForTask(task.taskArn!, (t) => t.lastStatus === 'RUNNING' || t.lastStatus === 'STOPPED', 45_000);
    expect(running.lastStatus, JSON.stringify(running)).toBe('RUNNING');

    const i = await inspectOf(task.taskArn!, 'app');
    const names = { db: (await inspectOf(task.taskArn!, 'db')).Name, side: (await inspectOf(task.taskArn!, 'side')).Name };
    expect(i.Config.Entrypoint).toEqual(['sh', '-c']);
    expect(i.Config.WorkingDir).toBe('/tmp');
    expect(i.Config.User).toBe('1234');
    expect(i.Config.Hostname).toBe('apphost');
    expect(i.Config.Tty).toBe(true);
    expect(i.Config.OpenStdin).toBe(true);
    expect(i.Config.Labels).toMatchObject({ team: 'dockhand', 'com.amazonaws.ecs.container-name': 'app' });
    expect(Object.keys(i.Config.ExposedPorts ?? {}).sort()).toEqual(['7000/tcp', '7001/tcp', '8080/tcp', '9090/udp']);
    const hc = i.HostConfig as Record<string, unknown> & typeof i.HostConfig;
    expect(hc.CpuShares).toBe(128);
    expect(hc.Memory).toBe(96 * 1024 * 1024);
    expect(hc.MemoryReservation).toBe(48 * 1024 * 1024);
    expect(hc.MemorySwap).toBe(96 * 1024 * 1024); // maxSwap 0: no swap beyond the hard limit
    expect(hc.MemorySwappiness).toBe(10);
    expect(hc.Ulimits).toEqual([{ Name: 'nofile', Soft: 1024, Hard: 2048 }]);
    expect(hc.ExtraHosts).toEqual(['db.internal:10.1.2.3']);
    expect(hc.Dns).toEqual(['1.1.1.1']);
    expect(hc.DnsSearch).toEqual(['example.internal']);
    expect(hc.SecurityOpt).toEqual(['no-new-privileges']);
    expect(hc.ReadonlyRootfs).toBe(true);
    expect(hc.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '1m' } });
    expect(hc.Sysctls).toEqual({ 'net.core.somaxconn': '512' });
    expect(hc.CapAdd).toEqual(['NET_ADMIN']);
    expect(hc.CapDrop).toEqual(['MKNOD']);
    expect(hc.Init).toBe(true);
    expect(hc.ShmSize).toBe(32 * 1024 * 1024);
    expect(hc.Tmpfs).toEqual({ '/scratch': 'rw,size=16m' });
    expect(hc.Devices).toEqual([{ PathOnHost: '/dev/zero', PathInContainer: '/dev/myzero', CgroupPermissions: 'r' }]);
    // containerPortRange: a contiguous block of host ports from the kernel's ephemeral range.
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const rangePorts = ['7000/tcp', '7001/tcp'].map((k) => Number((hc.PortBindings as Record<string, Array<{ HostPort: string }>>)[k]![0]!.HostPort));
    expect(rangePorts[1]! - rangePorts[0]!).toBe(1);
    expect(rangePorts[0]! >= lo! && rangePorts[1]! <= hi!).toBe(true);
    expect(hc.Privileged).toBe(false);
    expect(hc.Links).toEqual([`${names.db}:${i.Name}/database`]);
    expect(hc.Binds).toEqual([`${outDir}:/out`]);
    expect(hc.CgroupParent).toBe(`/ecs/${task.taskArn!.split('/').pop()}`);
    const mounts = hc.Mounts as Array<{ Type: string; Source: string; Target: string; ReadOnly?: boolean; VolumeOptions: { DriverConfig: { Name: string; Options: Record<string, string> }; Labels: Record<string, string> } }>;
    const taskVol = mounts.find((m) => m.Target === '/data')!;
    expect(taskVol.Type).toBe('volume');
    expect(taskVol.Source).toMatch(/^ecs-e2e-fields-\d+-scratchvol-[0-9a-f]{20}$/);
    expect(taskVol.VolumeOptions.DriverConfig).toEqual({ Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs', o: 'size=8m' } });
    const sharedVol = mounts.find((m) => m.Target === '/shared')!;
    expect(sharedVol).toMatchObject({ Type: 'volume', Source: SHARED, ReadOnly: true });
    // Docker created both named volumes from the mount's VolumeOptions.
    const tv = await docker.getVolume(taskVol.Source).inspect();
    expect(tv.Options).toEqual({ type: 'tmpfs', device: 'tmpfs', o: 'size=8m' });
    expect(tv.Labels).toMatchObject({ 'dockhand-e2e': 'fields', 'com.amazonaws.ecs.task-arn': task.taskArn });
    expect((await docker.getVolume(SHARED).inspect()).Labels).toEqual({ purpose: 'e2e' });

    const s = await inspectOf(task.taskArn!, 'side');
    expect(s.HostConfig.VolumesFrom).toEqual([`${i.Name.slice(1)}:ro`]);
    expect(s.Mounts.find((m) => m.Destination === '/out')?.RW).toBe(false);
    expect(names.side).toBeTruthy();
    expect(((await inspectOf(task.taskArn!, 'isolated')).Config as { NetworkDisabled?: boolean }).NetworkDisabled).toBe(true);

    // What the process itself sees.
    await waitForFile(join(outDir, 'done'));
    const out = (f: string) => readFileSync(join(outDir, f), 'utf8').trim();
    expect(out('id')).toBe('1234');
    expect(out('pwd')).toBe('/tmp');
    expect(out('hosts')).toMatch(/10\.1\.2\.3\s+db\.internal/);
    expect(out('hosts')).toMatch(/\sdatabase(\s|$)/m);
    expect(out('resolv')).toMatch(/nameserver 1\.1\.1\.1/);
    expect(out('resolv')).toMatch(/search example\.internal/);
    expect(out('nofile')).toBe('1024');
    expect(out('hostname')).toBe('apphost');
    expect(out('env')).toBe('hello world');
    expect(out('rootfs')).toMatch(/ ro[, ]/);
    expect(out('tmpfs')).toBe('tmpfs-ok');
    // logConfiguration json-file with its options: Docker keeps the output where `docker logs` reads it.
    let logs = '';
    for (let n = 0; n < 50 && !logs.includes('app-stdout'); n++, await sleep(100)) logs = (await docker.getContainer(i.Id).logs({ stdout: true })).toString();
    expect(logs).toContain('app-stdout');
    expect(out('device')).toBe('3');
    expect(out('somaxconn')).toBe('512');
    // NET_ADMIN (bit 12) added and MKNOD (bit 27) dropped, in the process's bounding set (it runs as a non-root user, so none is effective).
    const caps = BigInt(`0x${out('caps').split(/\s+/)[1]}`);
    expect([(caps >> 12n) & 1n, (caps >> 27n) & 1n]).toEqual([1n, 0n]);
    expect(out('pid1')).toBe('docker-init'); // initProcessEnabled: Docker's init is PID 1
    expect(out('shm')).toBe(String(32 * 1024)); // sharedMemorySize 32 MiB, in KiB
    expect(out('tmpfs-size')).toBe(String(16 * 1024)); // tmpfs size 16 MiB
    expect(out('isolated-net')).toBe('lo'); // disableNetworking: loopback only
    // The range is reported as one binding, as ECS shows it.
    const bindings = running.containers?.find((x) => x.name === 'app')?.networkBindings ?? [];
    expect(bindings).toContainEqual(expect.objectContaining({ containerPortRange: '7000-7001', hostPortRange: `${rangePorts[0]}-${rangePorts[1]}`, protocol: 'tcp' }));
  }, 90_000);

  it('privileged reaches HostConfig.Privileged (this sandboxed dockerd may refuse to start it: that must show as the reason)', async () => {
    const task = await run({ family: 'e2e-privileged', containerDefinitions: [{ name: 'p', image: TEST_IMAGE, memory: 16, privileged: true, command: ['sleep', '3600'], stopTimeout: 1 }] });
    const { task: t } = await h.waitForTask(task.taskArn!, (x) => x.lastStatus === 'RUNNING' || x.lastStatus === 'STOPPED', 30_000);
    expect((await inspectOf(task.taskArn!, 'p')).HostConfig.Privileged).toBe(true);
    if (t.lastStatus === 'STOPPED') expect(t.containers?.[0]?.reason).toMatch(/^CannotStartContainerError: /);
  });

  it('networkMode host and none reach HostConfig.NetworkMode; task-scoped volumes are unique per task', async () => {
    const vol = { name: 'v', dockerVolumeConfiguration: { scope: 'task' as const, autoprovision: true, driver: 'local', labels: { 'dockhand-e2e': 'fields' } } };
    const sleeper = (name: string): ContainerDefinition => ({
      name, image: TEST_IMAGE, memory: 16, command: ['sleep', '3600'], stopTimeout: 1, mountPoints: [{ sourceVolume: 'v', containerPath: '/v' }],
    });
    const [host, none] = await Promise.all([
      run({ family: 'e2e-net-host', networkMode: 'host', containerDefinitions: [sleeper('h')], volumes: [vol] }),
      run({ family: 'e2e-net-none', networkMode: 'none', containerDefinitions: [sleeper('n')], volumes: [vol] }),
    ]);
    for (const t of [host, none]) await h.waitForTask(t.taskArn!, (x) => x.lastStatus === 'RUNNING', 30_000);
    const hi = await inspectOf(host.taskArn!, 'h');
    const ni = await inspectOf(none.taskArn!, 'n');
    expect(hi.HostConfig.NetworkMode).toBe('host');
    expect(ni.HostConfig.NetworkMode).toBe('none');
    // Two tasks, same volume name in their definitions: two different Docker volumes.
    const src = (i: typeof hi) => (i.HostConfig as { Mounts?: Array<{ Source: string }> }).Mounts?.[0]?.Source;
    expect(src(hi)).toMatch(/^ecs-e2e-net-host-1-v-[0-9a-f]{20}$/);
    expect(src(ni)).toMatch(/^ecs-e2e-net-none-1-v-[0-9a-f]{20}$/);
    expect(src(hi)).not.toBe(src(ni));
  }, 60_000);
});
