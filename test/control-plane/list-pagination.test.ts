// Every List* call pages with maxResults/nextToken (walking the pages gives the whole list, once),
// refuses out-of-range maxResults and mangled tokens with InvalidParameterException; and ListTasks'
// filters — on both the memory and the SQLite store, since each answers ListTasks in its own way.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ListAccountSettingsCommand,
  ListAttributesCommand,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  PutAttributesCommand,
  RegisterTaskDefinitionCommand,
  StartTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type ListTasksCommandInput,
} from '@aws-sdk/client-ecs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type RunningControlPlane } from '../../src/control-plane/index.ts';
import { useTempDirs } from '../temp-dirs.ts';
import { FakeAgent, ecsClient, eventually } from './fake-agent.ts';
import { failure } from './control-plane-fixture.ts';

const tempDir = useTempDirs();

interface World { cp: RunningControlPlane; ecs: ECSClient; agents: FakeAgent[] }

/** Cluster 'pg' with an EXTERNAL and two EC2 fake agents, three task families, a few tasks. */
async function world(dataDir?: string): Promise<World> {
  const cp = await startControlPlane({ logger: pino({ level: 'silent' }), port: 0, ...(dataDir ? { dataDir } : {}) });
  const ecs = ecsClient(cp.url);
  await ecs.send(new CreateClusterCommand({ clusterName: 'pg' }));
  for (const name of ['pg-b', 'pg-c']) await ecs.send(new CreateClusterCommand({ clusterName: name }));
  const agents: FakeAgent[] = [];
  for (const external of [true, false, false]) {
    const a = await FakeAgent.register({ url: cp.url, cluster: 'pg', external });
    await a.connect();
    agents.push(a);
  }
  for (const family of ['fa', 'fb', 'fc']) {
    await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: 'c', image: 'busybox', memory: 8 }] }));
  }
  return { cp, ecs, agents };
}

async function close(w: World | undefined): Promise<void> {
  if (!w) return;
  for (const a of w.agents) await a.close();
  w.ecs.destroy();
  await w.cp.close();
}

describe('pagination of every List* call', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
    for (const a of w.agents) {
      await w.ecs.send(new StartTaskCommand({ cluster: 'pg', taskDefinition: 'fa', containerInstances: [a.containerInstanceArn] }));
      await w.ecs.send(new PutAttributesCommand({ cluster: 'pg', attributes: [{ name: 'rack', value: 'r1', targetType: 'container-instance', targetId: a.containerInstanceArn }] }));
    }
    for (const name of ['s1', 's2', 's3']) {
      await w.ecs.send(new CreateServiceCommand({ cluster: 'pg', serviceName: name, taskDefinition: 'fb', desiredCount: 0 }));
    }
  });
  afterAll(() => close(w));

  type Lister = (extra: { maxResults?: number; nextToken?: string }) => Promise<{ items: unknown[]; nextToken?: string | undefined }>;
  const listers: Array<[string, number, Lister]> = [
    ['ListClusters', 100, async (x) => { const r = await w.ecs.send(new ListClustersCommand(x)); return { items: r.clusterArns!, nextToken: r.nextToken }; }],
    ['ListTaskDefinitions', 100, async (x) => { const r = await w.ecs.send(new ListTaskDefinitionsCommand(x)); return { items: r.taskDefinitionArns!, nextToken: r.nextToken }; }],
    ['ListTaskDefinitionFamilies', 100, async (x) => { const r = await w.ecs.send(new ListTaskDefinitionFamiliesCommand(x)); return { items: r.families!, nextToken: r.nextToken }; }],
    ['ListTasks', 100, async (x) => { const r = await w.ecs.send(new ListTasksCommand({ cluster: 'pg', ...x })); return { items: r.taskArns!, nextToken: r.nextToken }; }],
    ['ListContainerInstances', 100, async (x) => { const r = await w.ecs.send(new ListContainerInstancesCommand({ cluster: 'pg', ...x })); return { items: r.containerInstanceArns!, nextToken: r.nextToken }; }],
    ['ListAccountSettings', 10, async (x) => { const r = await w.ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true, ...x })); return { items: r.settings!, nextToken: r.nextToken }; }],
    ['ListAttributes', 100, async (x) => {
      const r = await w.ecs.send(new ListAttributesCommand({ cluster: 'pg', targetType: 'container-instance', attributeName: 'rack', ...x }));
      return { items: r.attributes!, nextToken: r.nextToken };
    }],
    ['ListServices', 100, async (x) => { const r = await w.ecs.send(new ListServicesCommand({ cluster: 'pg', ...x })); return { items: r.serviceArns!, nextToken: r.nextToken }; }],
  ];

  it.each(listers)('%s pages through the whole list, 2 at a time', async (_op, _limit, list) => {
    const all = (await list({})).items;
    expect(all.length).toBeGreaterThanOrEqual(3);
    const paged: unknown[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await list({ maxResults: 2, ...(nextToken ? { nextToken } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      paged.push(...page.items);
      nextToken = page.nextToken;
      pages++;
    } while (nextToken && pages < 100);
    expect(paged).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 2));
  });

  it.each(listers)('%s refuses maxResults out of 1..limit and a mangled nextToken', async (_op, limit, list) => {
    for (const maxResults of [0, limit + 1, 1.5]) {
      expect(await failure(list({ maxResults })), `maxResults ${maxResults}`).toBeInstanceOf(InvalidParameterException);
    }
    for (const nextToken of ['garbage!', 'bm9wZQ', '%%%']) {
      expect(await failure(list({ nextToken })), `nextToken ${nextToken}`).toBeInstanceOf(InvalidParameterException);
    }
  });
});

describe.each([['memory store', false], ['SQLite store', true]])('ListTasks filters (%s)', (_name, durable) => {
  let w: World;
  const arns: Record<string, string> = {};
  let serviceTask = { instance: '', launchType: '' };
  beforeAll(async () => {
    w = await world(durable ? tempDir('dockhand-list-') : undefined);
    const [ext, ec2a, ec2b] = w.agents as [FakeAgent, FakeAgent, FakeAgent];
    const start = async (key: string, family: string, agent: FakeAgent, extra: Record<string, unknown> = {}) => {
      const r = await w.ecs.send(new StartTaskCommand({ cluster: 'pg', taskDefinition: family, containerInstances: [agent.containerInstanceArn], ...extra }));
      arns[key] = r.tasks![0]!.taskArn!;
    };
    await start('extA', 'fa', ext, { startedBy: 'job-1' });
    await start('ec2A', 'fa', ec2a);
    await start('ec2B', 'fb', ec2b, { startedBy: 'job-1' });
    await start('stopped', 'fc', ec2a);
    await w.ecs.send(new StopTaskCommand({ cluster: 'pg', task: arns.stopped!, reason: 'test' }));
    await ext.report(arns.extA!, 'RUNNING', [{ containerName: 'c', status: 'RUNNING' }]);
    await w.ecs.send(new CreateServiceCommand({ cluster: 'pg', serviceName: 'web', taskDefinition: 'fc', desiredCount: 1 }));
    arns.service = await eventually(async () => {
      const r = await w.ecs.send(new ListTasksCommand({ cluster: 'pg', family: 'fc' }));
      expect(r.taskArns).toHaveLength(1);
      return r.taskArns![0]!;
    }, 10_000);
    // The scheduler picks the service task's instance: the filters below are checked against it.
    const svcTask = (await w.ecs.send(new DescribeTasksCommand({ cluster: 'pg', tasks: [arns.service] }))).tasks![0]!;
    serviceTask = { instance: svcTask.containerInstanceArn!, launchType: svcTask.launchType! };
  });
  afterAll(() => close(w));

  const list = async (input: Omit<ListTasksCommandInput, 'cluster'>) =>
    new Set((await w.ecs.send(new ListTasksCommand({ cluster: 'pg', ...input }))).taskArns);
  const set = (...keys: string[]) => new Set(keys.map((k) => arns[k]!));

  it('desiredStatus (RUNNING default, PENDING = not yet running, STOPPED)', async () => {
    expect(await list({})).toEqual(set('extA', 'ec2A', 'ec2B', 'service'));
    expect(await list({ desiredStatus: 'STOPPED' })).toEqual(set('stopped'));
    expect(await list({ desiredStatus: 'PENDING' })).toEqual(set('ec2A', 'ec2B', 'service'));
  });

  it('family, startedBy, containerInstance, launchType, serviceName', async () => {
    const [ext, ec2a] = w.agents as [FakeAgent, FakeAgent];
    expect(await list({ family: 'fa' })).toEqual(set('extA', 'ec2A'));
    expect(await list({ startedBy: 'job-1' })).toEqual(set('extA', 'ec2B'));
    const withService = (instance: string, ...keys: string[]) => set(...keys, ...(serviceTask.instance === instance ? ['service'] : []));
    expect(await list({ containerInstance: ext.containerInstanceArn.split('/').pop()! })).toEqual(withService(ext.containerInstanceArn, 'extA'));
    expect(await list({ containerInstance: ec2a.containerInstanceArn })).toEqual(withService(ec2a.containerInstanceArn, 'ec2A'));
    expect(await list({ containerInstance: ec2a.containerInstanceArn, desiredStatus: 'STOPPED' })).toEqual(set('stopped'));
    const ofType = (type: string, ...keys: string[]) => set(...keys, ...(serviceTask.launchType === type ? ['service'] : []));
    expect(await list({ launchType: 'EXTERNAL' })).toEqual(ofType('EXTERNAL', 'extA'));
    expect(await list({ launchType: 'EC2' })).toEqual(ofType('EC2', 'ec2A', 'ec2B'));
    expect(await list({ launchType: 'FARGATE' })).toEqual(set());
    expect(await list({ serviceName: 'web' })).toEqual(set('service'));
    expect(await list({ serviceName: 'web', family: 'fa' })).toEqual(set());
  });

  it('refuses bad filter values', async () => {
    expect(await failure(w.ecs.send(new ListTasksCommand({ cluster: 'pg', desiredStatus: 'DONE' as never })))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(w.ecs.send(new ListTasksCommand({ cluster: 'pg', launchType: 'LAMBDA' as never })))).toBeInstanceOf(InvalidParameterException);
    expect((await failure(w.ecs.send(new ListTasksCommand({ cluster: 'pg', serviceName: 'ghost' })))).name).toBe('ServiceNotFoundException');
  });
});
