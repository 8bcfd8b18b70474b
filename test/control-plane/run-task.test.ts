// RunTask / StartTask placement and the PayloadMessage the agent receives, with fake agents
// talking the real ECS API and ACS websocket.
import {
  ClientException,
  ClusterNotFoundException,
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StartTaskCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { FakeAgent } from './fake-agent.ts';
import { closedAfterEachTest, useControlPlane } from './control-plane-fixture.ts';

const agents = closedAfterEachTest<FakeAgent>();

async function agentIn(cluster: string, o: Partial<Parameters<typeof FakeAgent.register>[0]> = {}, connect = true): Promise<FakeAgent> {
  const a = await FakeAgent.register({ url: env.cp.url, cluster, ...o });
  agents.push(a);
  if (connect) await a.connect();
  return a;
}

const env = useControlPlane({ heartbeatIntervalMs: 200 }, async ({ ecs }) => {
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'web',
    containerDefinitions: [
      {
        name: 'app', image: 'nginx:alpine', cpu: 256, memory: 512, memoryReservation: 256, essential: true,
        command: ['nginx', '-g', 'daemon off;'], entryPoint: ['/docker-entrypoint.sh'],
        environment: [{ name: 'MODE', value: 'prod' }, { name: 'LEVEL', value: 'info' }],
        portMappings: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }, { containerPort: 53, protocol: 'udp' }],
        workingDirectory: '/srv', user: '1000', dockerLabels: { team: 'core' },
        ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 2048 }],
        logConfiguration: { logDriver: 'json-file', options: { 'max-size': '10m' } },
        stopTimeout: 5,
      },
      { name: 'sidecar', image: 'busybox', memoryReservation: 64, essential: false, links: ['app'], dependsOn: [{ containerName: 'app', condition: 'START' }] },
    ],
  }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'tiny', containerDefinitions: [{ name: 'c', image: 'busybox', cpu: 10, memory: 64 }] }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'hog', containerDefinitions: [{ name: 'c', image: 'busybox', cpu: 100000, memory: 64 }] }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'fat', containerDefinitions: [{ name: 'c', image: 'busybox', cpu: 1, memory: 900000 }] }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'ssh', networkMode: 'host', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 8, portMappings: [{ containerPort: 22 }] }] }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'dns', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 8, portMappings: [{ containerPort: 53, hostPort: 5353, protocol: 'udp' }] }] }));
});

describe('RunTask', () => {
  it('places the task and pushes the converted task in a PayloadMessage', async () => {
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'run1' }));
    const agent = await agentIn('run1');
    const out = await env.ecs.send(new RunTaskCommand({
      cluster: 'run1', taskDefinition: 'web', startedBy: 'tester', tags: [{ key: 'a', value: 'b' }],
      overrides: { containerOverrides: [{ name: 'app', command: ['echo', 'hi'], environment: [{ name: 'LEVEL', value: 'debug' }], memory: 600 }] },
    }));
    expect(out.failures).toEqual([]);
    expect(out.tasks).toHaveLength(1);
    const task = out.tasks![0]!;
    expect(task).toMatchObject({
      lastStatus: 'PENDING', desiredStatus: 'RUNNING', startedBy: 'tester', group: 'family:web', launchType: 'EXTERNAL',
      containerInstanceArn: agent.containerInstanceArn, clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/run1',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1', version: 1,
    });
    expect(task.taskArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task\/run1\/[0-9a-f]{32}$/);
    expect(task.createdAt).toBeInstanceOf(Date);
    expect(task.containers!.map((c) => [c.name, c.image, c.lastStatus])).toEqual([['app', 'nginx:alpine', 'PENDING'], ['sidecar', 'busybox', 'PENDING']]);

    const payload = await agent.nextPayload();
    const m = payload.message;
    expect(m.clusterArn).toBe('arn:aws:ecs:us-east-1:000000000000:cluster/run1');
    expect(m.containerInstanceArn).toBe(agent.containerInstanceArn);
    expect(m.seqNum).toBe(1);
    expect(m.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(m.generatedAt! - Date.now() / 1000)).toBeLessThan(5);
    const t = m.tasks[0]!;
    expect(t).toMatchObject({
      arn: task.taskArn, taskClusterArn: m.clusterArn, family: 'web', version: '1', desiredStatus: 'RUNNING',
      taskDefinitionAccountId: '000000000000', launchType: 'EXTERNAL', networkMode: 'bridge', overrides: '{}',
      volumes: [], elasticNetworkInterfaces: [], attachments: [], associations: [],
    });
    const app = t.containers[0]!;
    expect(app).toMatchObject({
      name: 'app', image: 'nginx:alpine', command: ['echo', 'hi'], entryPoint: ['/docker-entrypoint.sh'], cpu: 256, memory: 600,
      essential: true, environment: { MODE: 'prod', LEVEL: 'debug' }, stopTimeout: 5,
      portMappings: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }, { containerPort: 53, hostPort: 0, protocol: 'udp' }],
      containerArn: task.containers![0]!.containerArn,
    });
    expect(app.dockerConfig!.version).toBe('1.17');
    expect(JSON.parse(app.dockerConfig!.config!)).toEqual({ WorkingDir: '/srv', User: '1000', Labels: { team: 'core' } });
    expect(JSON.parse(app.dockerConfig!.hostConfig!)).toEqual({
      MemoryReservation: 256 * 1024 * 1024,
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m' } },
    });
    const sidecar = t.containers[1]!;
    expect(sidecar).toMatchObject({ name: 'sidecar', memory: 0, essential: false, links: ['app'], dependsOn: [{ containerName: 'app', condition: 'START' }] });
    expect(sidecar.dockerConfig).toEqual({ version: '1.17', config: '{}', hostConfig: JSON.stringify({ MemoryReservation: 64 * 1024 * 1024 }) });

    const d = await env.ecs.send(new DescribeTasksCommand({ cluster: 'run1', tasks: [task.taskArn!], include: ['TAGS'] }));
    expect(d.tasks![0]!.tags).toEqual([{ key: 'a', value: 'b' }]);
    // No task-level sizes: DescribeTasks shows the reservation (256 + 0 cpu, 600 + 64 MiB after overrides).
    expect([d.tasks![0]!.cpu, d.tasks![0]!.memory]).toEqual(['256', '664']);
    expect(t.cpu).toBeUndefined(); // and the agent gets no task-level limit
    expect(d.tasks![0]!.overrides!.containerOverrides![0]!.command).toEqual(['echo', 'hi']);
  });

  it('counts reservations: remainingResources, counts, and seqNum rising across payloads', async () => {
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'run2' }));
    const agent = await agentIn('run2', { cpu: 1024, memory: 2048 });
    const out = await env.ecs.send(new RunTaskCommand({ cluster: 'run2', taskDefinition: 'tiny', count: 3 }));
    expect(out.tasks).toHaveLength(3);
    const payload = await agent.nextPayload();
    expect(payload.message.tasks).toHaveLength(3); // one payload per instance per call
    await env.ecs.send(new RunTaskCommand({ cluster: 'run2', taskDefinition: 'web:1' }));
    expect((await agent.nextPayload()).message.seqNum).toBe(2);
    const d = await env.ecs.send(new DescribeContainerInstancesCommand({ cluster: 'run2', containerInstances: [agent.containerInstanceArn] }));
    const ci = d.containerInstances![0]!;
    expect(ci.agentConnected).toBe(true);
    expect(ci.pendingTasksCount).toBe(4);
    expect(ci.runningTasksCount).toBe(0);
    expect(ci.remainingResources!.find((r) => r.name === 'CPU')!.integerValue).toBe(1024 - 30 - 256);
    expect(ci.remainingResources!.find((r) => r.name === 'MEMORY')!.integerValue).toBe(2048 - 192 - 512 - 64);
    expect(ci.remainingResources!.find((r) => r.name === 'PORTS')!.stringSetValue).toEqual(['22', '2375', '2376', '51678', '51679', '8080']);
    expect(ci.registeredResources!.find((r) => r.name === 'CPU')!.integerValue).toBe(1024);
    expect(ci.versionInfo).toEqual({ agentVersion: '1.83.0', agentHash: 'c763e4dc', dockerVersion: 'DockerVersion: 20.10.24' });
    expect(ci.ec2InstanceId).toMatch(/^mi-[0-9a-f]{17}$/);
    const list = await env.ecs.send(new ListTasksCommand({ cluster: 'run2', family: 'tiny' }));
    expect(list.taskArns!.sort()).toEqual(out.tasks!.map((t) => t.taskArn!).sort());
  });

  it('reports RESOURCE:CPU, RESOURCE:MEMORY, RESOURCE:PORTS and RESOURCE:PORTS_UDP failures', async () => {
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'run3' }));
    const agent = await agentIn('run3', { cpu: 1024, memory: 4096, portsUdp: ['5353'] });
    const failure = async (taskDefinition: string) => {
      const out = await env.ecs.send(new RunTaskCommand({ cluster: 'run3', taskDefinition }));
      expect(out.tasks).toEqual([]);
      return out.failures;
    };
    expect(await failure('hog')).toEqual([{ arn: agent.containerInstanceArn, reason: 'RESOURCE:CPU' }]);
    expect(await failure('fat')).toEqual([{ arn: agent.containerInstanceArn, reason: 'RESOURCE:MEMORY' }]);
    expect(await failure('ssh')).toEqual([{ arn: agent.containerInstanceArn, reason: 'RESOURCE:PORTS' }]); // 22 is reserved
    expect(await failure('dns')).toEqual([{ arn: agent.containerInstanceArn, reason: 'RESOURCE:PORTS_UDP' }]);
    // A static host port taken by a live task blocks a second copy; count 2 places one.
    const two = await env.ecs.send(new RunTaskCommand({ cluster: 'run3', taskDefinition: 'web', count: 2 }));
    expect(two.tasks).toHaveLength(1);
    expect(two.failures).toEqual([{ arn: agent.containerInstanceArn, reason: 'RESOURCE:PORTS' }]);
  });

  it('never places on an instance whose agent is disconnected', async () => {
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'run4' }));
    const offline = await agentIn('run4', {}, false);
    const out = await env.ecs.send(new RunTaskCommand({ cluster: 'run4', taskDefinition: 'tiny' }));
    expect(out.tasks).toEqual([]);
    expect(out.failures).toEqual([{ arn: offline.containerInstanceArn, reason: 'AGENT' }]);
    const online = await agentIn('run4');
    const many = await env.ecs.send(new RunTaskCommand({ cluster: 'run4', taskDefinition: 'tiny', count: 5 }));
    expect(many.tasks!.map((t) => t.containerInstanceArn)).toEqual(Array(5).fill(online.containerInstanceArn));
    await online.disconnect();
    await new Promise((r) => setTimeout(r, 50));
    const d = await env.ecs.send(new DescribeContainerInstancesCommand({ cluster: 'run4', containerInstances: [online.containerInstanceArn, 'nope'] }));
    expect(d.containerInstances![0]!.agentConnected).toBe(false);
    expect(d.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:000000000000:container-instance/run4/nope', reason: 'MISSING' }]);
  });

  it('answers the ECS errors for bad requests', async () => {
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'empty' }));
    const err = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);
    const noCluster = await err(env.ecs.send(new RunTaskCommand({ cluster: 'missing', taskDefinition: 'tiny' })));
    expect(noCluster).toBeInstanceOf(ClusterNotFoundException);
    const noTd = await err(env.ecs.send(new RunTaskCommand({ cluster: 'empty', taskDefinition: 'ghost' })));
    expect(noTd).toBeInstanceOf(ClientException);
    const eleven = await err(env.ecs.send(new RunTaskCommand({ cluster: 'empty', taskDefinition: 'tiny', count: 11 })));
    expect(eleven).toBeInstanceOf(InvalidParameterException);
    expect(eleven!.message).toBe('Count must be between 1 and 10.');
    const noInstances = await err(env.ecs.send(new RunTaskCommand({ cluster: 'empty', taskDefinition: 'tiny' })));
    expect(noInstances).toBeInstanceOf(InvalidParameterException);
    expect(noInstances!.message).toBe('No Container Instances were found in your cluster.');
  });
});

describe('StartTask and listings', () => {
  it('starts on chosen instances and reports MISSING/resource failures per instance', async () => {
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'start1' }));
    const a = await agentIn('start1');
    const b = await agentIn('start1', { cpu: 100 });
    const id = a.containerInstanceArn.split('/').pop()!;
    const out = await env.ecs.send(new StartTaskCommand({ cluster: 'start1', taskDefinition: 'web', containerInstances: [id, b.containerInstanceArn, 'ghost'] }));
    expect(out.tasks!.map((t) => t.containerInstanceArn)).toEqual([a.containerInstanceArn]);
    expect(out.failures).toEqual([
      { arn: b.containerInstanceArn, reason: 'RESOURCE:CPU' },
      { arn: 'arn:aws:ecs:us-east-1:000000000000:container-instance/start1/ghost', reason: 'MISSING' },
    ]);
    expect((await a.nextPayload()).message.tasks[0]!.arn).toBe(out.tasks![0]!.taskArn);
    const cis = await env.ecs.send(new ListContainerInstancesCommand({ cluster: 'start1', maxResults: 1 }));
    expect(cis.containerInstanceArns).toEqual([a.containerInstanceArn]);
    const rest = await env.ecs.send(new ListContainerInstancesCommand({ cluster: 'start1', nextToken: cis.nextToken }));
    expect(rest.containerInstanceArns).toEqual([b.containerInstanceArn]);
    const byInstance = await env.ecs.send(new ListTasksCommand({ cluster: 'start1', containerInstance: a.containerInstanceArn }));
    expect(byInstance.taskArns).toEqual([out.tasks![0]!.taskArn]);
    const stopped = await env.ecs.send(new ListTasksCommand({ cluster: 'start1', desiredStatus: 'STOPPED' }));
    expect(stopped.taskArns).toEqual([]);
  });
});
