// The service API's contract through the real SDK: validation errors in the ECS shape naming the
// field, idempotency, DescribeServices/ListServices shapes, filters and pagination, tags.
import {
  ClientException, ClusterNotFoundException, CreateServiceCommand, DeleteServiceCommand, DescribeServicesCommand, InvalidParameterException,
  ListServicesCommand, ListTagsForResourceCommand, PlatformUnknownException, RegisterTaskDefinitionCommand, ServiceNotActiveException,
  ServiceNotFoundException, TagResourceCommand, UpdateServiceCommand, paginateListServices,
} from '@aws-sdk/client-ecs';
import { describe as suite, expect, it } from 'vitest';
import { failure, useControlPlane } from './control-plane-fixture.ts';
import { TINY, clusterWith, describe, waitInactive } from './service-agents.ts';

const env = useControlPlane({ serviceSchedulerIntervalMs: 100 }, async ({ ecs }) => {
  await clusterWith(ecs, 'api', ['web', 'web']);
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'vpc', networkMode: 'awsvpc', containerDefinitions: TINY }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'fargate-only', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', networkMode: 'awsvpc', containerDefinitions: TINY }));
});

const create = (o: Record<string, unknown>) => env.ecs.send(new CreateServiceCommand({ cluster: 'api', serviceName: 's', taskDefinition: 'web', desiredCount: 0, ...o }));

suite('CreateService validation', () => {
  it.each([
    [{ serviceName: 'bad name!' }, InvalidParameterException, /serviceName can have up to 255 letters/],
    [{ desiredCount: undefined }, InvalidParameterException, /desiredCount is required for a service with the REPLICA scheduling strategy/],
    [{ desiredCount: -1 }, InvalidParameterException, /desiredCount must be an integer from 0 to 5000, not -1/],
    [{ desiredCount: 1.5 }, InvalidParameterException, /desiredCount must be an integer/],
    [{ schedulingStrategy: 'DAEMON', desiredCount: 2 }, InvalidParameterException, /DAEMON scheduling strategy does not support a desired count/],
    [{ schedulingStrategy: 'SOMETIMES' }, InvalidParameterException, /Invalid schedulingStrategy 'SOMETIMES'/],
    [{ taskDefinition: undefined }, InvalidParameterException, /taskDefinition can not be blank/],
    [{ taskDefinition: 'nope:1' }, ClientException, /TaskDefinition not found: nope:1/],
    [{ launchType: 'FARGATE' }, InvalidParameterException, /launchType FARGATE is not available/],
    [{ platformVersion: '9.9.9' }, PlatformUnknownException, /platform version \(9\.9\.9\) does not exist/],
    [{ platformVersion: 'LATEST' }, InvalidParameterException, /platformVersion is only supported for tasks using the FARGATE launch type/],
    [{ taskDefinition: 'fargate-only' }, InvalidParameterException, /does not support launch_type EC2/],
    [{ taskDefinition: 'vpc' }, InvalidParameterException, /networkConfiguration must be provided when networkMode 'awsvpc'/],
    [{ networkConfiguration: { awsvpcConfiguration: { subnets: ['s-1'] } } }, InvalidParameterException, /networkConfiguration is not valid for the networkMode 'bridge'/],
    [{ deploymentConfiguration: { minimumHealthyPercent: 150 } }, InvalidParameterException, /minimumHealthyPercent must be an integer from 0 to 100, not 150/],
    [{ deploymentConfiguration: { maximumPercent: 50 } }, InvalidParameterException, /maximumPercent must be an integer from 100 to 2000, not 50/],
    [{ deploymentController: { type: 'CODE_DEPLOY' } }, InvalidParameterException, /CODE_DEPLOY needs AWS CodeDeploy/],
    [{ loadBalancers: [{ targetGroupArn: 'arn:aws:elasticloadbalancing:x', containerName: 'app', containerPort: 80 }] }, InvalidParameterException, /loadBalancers: Dockhand has no Elastic Load Balancing/],
    [{ placementStrategy: [{ type: 'binpack', field: 'disk' }] }, InvalidParameterException, /placementStrategy\[0\]: binpack needs field cpu or memory/],
    [{ placementConstraints: [{ type: 'memberOf', expression: 'attribute:x ==' }] }, InvalidParameterException, /placementConstraints\[0\]/],
    [{ tags: [{ key: 'aws:secret', value: 'x' }] }, InvalidParameterException, /reserved for AWS use/],
    [{ propagateTags: 'EVERYTHING' }, InvalidParameterException, /Invalid propagateTags 'EVERYTHING'/],
  ])('%j is refused', async (fields, type, message) => {
    const err = await failure(create({ serviceName: 'bad', ...fields }));
    expect(err).toBeInstanceOf(type);
    expect(err.message).toMatch(message);
  });

  it('names a missing cluster', async () => {
    expect(await failure(env.ecs.send(new CreateServiceCommand({ cluster: 'nowhere', serviceName: 's', taskDefinition: 'web', desiredCount: 1 })))).toBeInstanceOf(ClusterNotFoundException);
  });

  it('is idempotent with the same clientToken, and refuses a second service of the same name', async () => {
    const first = await create({ serviceName: 'twice', clientToken: 'token-1', desiredCount: 0 });
    const again = await create({ serviceName: 'twice', clientToken: 'token-1', desiredCount: 0 });
    expect(again.service!.serviceArn).toBe(first.service!.serviceArn);
    expect(again.service!.deployments![0]!.id).toBe(first.service!.deployments![0]!.id);
    const dup = await failure(create({ serviceName: 'twice', desiredCount: 0 }));
    expect(dup).toBeInstanceOf(InvalidParameterException);
    expect(dup.message).toBe('Creation of service was not idempotent.');
  });
});

suite('DescribeServices', () => {
  it('answers the ECS shape, tags only with include TAGS, and MISSING failures', async () => {
    await create({ serviceName: 'shape', desiredCount: 0, tags: [{ key: 'a', value: '1' }], propagateTags: 'TASK_DEFINITION', healthCheckGracePeriodSeconds: 30 });
    const plain = await env.ecs.send(new DescribeServicesCommand({ cluster: 'api', services: ['shape', 'arn:aws:ecs:us-east-1:000000000000:service/api/ghost', 'other'] }));
    expect(plain.services).toHaveLength(1);
    const svc = plain.services![0]!;
    expect(svc).toMatchObject({
      serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/api/shape', serviceName: 'shape', clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/api',
      status: 'ACTIVE', desiredCount: 0, runningCount: 0, pendingCount: 0, launchType: 'EC2', taskDefinition: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:2',
      loadBalancers: [], serviceRegistries: [], placementConstraints: [], placementStrategy: [], schedulingStrategy: 'REPLICA',
      propagateTags: 'TASK_DEFINITION', enableECSManagedTags: false, enableExecuteCommand: false, healthCheckGracePeriodSeconds: 30,
      createdBy: 'arn:aws:iam::000000000000:root',
    });
    expect(svc.createdAt).toBeInstanceOf(Date);
    expect(svc.tags).toBeUndefined();
    expect(svc.deploymentController).toBeUndefined(); // left out for the ECS controller, as ECS does
    expect(plain.failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:000000000000:service/api/ghost', reason: 'MISSING' },
      { arn: 'arn:aws:ecs:us-east-1:000000000000:service/api/other', reason: 'MISSING' },
    ]);
    const tagged = await describe(env.ecs, 'api', 'arn:aws:ecs:us-east-1:000000000000:service/api/shape');
    expect(tagged.tags).toEqual([{ key: 'a', value: '1' }]);
  });

  it('refuses an empty list and more than 10 services', async () => {
    expect((await failure(env.ecs.send(new DescribeServicesCommand({ cluster: 'api', services: [] })))).message).toMatch(/services cannot be empty/);
    const eleven = Array.from({ length: 11 }, (_, i) => `s${i}`);
    expect((await failure(env.ecs.send(new DescribeServicesCommand({ cluster: 'api', services: eleven })))).message).toMatch(/at most 10 items, not 11/);
  });

  it('shows tags set through TagResource (the service document is the ops helper\'s to tag)', async () => {
    const arn = (await create({ serviceName: 'tagme', desiredCount: 0 })).service!.serviceArn!;
    await env.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'env', value: 'prod' }] }));
    expect((await env.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([{ key: 'env', value: 'prod' }]);
    expect((await describe(env.ecs, 'api', 'tagme')).tags).toEqual([{ key: 'env', value: 'prod' }]);
  });
});

suite('UpdateService and DeleteService errors', () => {
  it('ServiceNotFoundException for an unknown service, ServiceNotActiveException once it is deleted', async () => {
    expect(await failure(env.ecs.send(new UpdateServiceCommand({ cluster: 'api', service: 'ghost', desiredCount: 1 })))).toBeInstanceOf(ServiceNotFoundException);
    expect(await failure(env.ecs.send(new DeleteServiceCommand({ cluster: 'api', service: 'ghost' })))).toBeInstanceOf(ServiceNotFoundException);
    await create({ serviceName: 'gone', desiredCount: 0 });
    await env.ecs.send(new DeleteServiceCommand({ cluster: 'api', service: 'gone' }));
    await waitInactive(env.ecs, 'api', 'gone');
    const err = await failure(env.ecs.send(new UpdateServiceCommand({ cluster: 'api', service: 'gone', desiredCount: 1 })));
    expect(err).toBeInstanceOf(ServiceNotActiveException);
    expect(err.message).toMatch(/Service was not ACTIVE/);
    expect(await failure(env.ecs.send(new DeleteServiceCommand({ cluster: 'api', service: 'gone' })))).toBeInstanceOf(ServiceNotActiveException);
  });

  it('checks what it is given', async () => {
    await create({ serviceName: 'upd', desiredCount: 0 });
    expect((await failure(env.ecs.send(new UpdateServiceCommand({ cluster: 'api', service: 'upd', desiredCount: -3 })))).message).toMatch(/desiredCount must be an integer/);
    expect(await failure(env.ecs.send(new UpdateServiceCommand({ cluster: 'api', service: 'upd', taskDefinition: 'nope' })))).toBeInstanceOf(ClientException);
    expect((await failure(env.ecs.send(new UpdateServiceCommand({ cluster: 'api', service: 'upd', taskDefinition: 'vpc' })))).message).toMatch(/networkConfiguration must be provided/);
    const ok = await env.ecs.send(new UpdateServiceCommand({ cluster: 'api', service: 'upd', deploymentConfiguration: { maximumPercent: 150, deploymentCircuitBreaker: { enable: true, rollback: true } } }));
    expect(ok.service!.deploymentConfiguration).toEqual({ minimumHealthyPercent: 100, maximumPercent: 150, deploymentCircuitBreaker: { enable: true, rollback: true } });
    expect(ok.service!.deployments).toHaveLength(1); // no new deployment for a configuration change
  });
});

suite('ListServices', () => {
  it('lists ACTIVE services of the cluster, filters by launch type and scheduling strategy, pages 10 by default', async () => {
    await clusterWith(env.ecs, 'many', ['web']);
    const names = Array.from({ length: 12 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
    for (const name of names) {
      await env.ecs.send(new CreateServiceCommand({ cluster: 'many', serviceName: name, taskDefinition: 'web', desiredCount: 0, ...(name === 'svc-03' ? { launchType: 'EXTERNAL' } : {}) }));
    }
    await env.ecs.send(new CreateServiceCommand({ cluster: 'many', serviceName: 'daemon', taskDefinition: 'web', schedulingStrategy: 'DAEMON' }));
    await env.ecs.send(new DeleteServiceCommand({ cluster: 'many', service: 'svc-11' }));

    const first = await env.ecs.send(new ListServicesCommand({ cluster: 'many' }));
    expect(first.serviceArns).toHaveLength(10);
    expect(first.nextToken).toBeDefined();
    const all: string[] = [];
    for await (const page of paginateListServices({ client: env.ecs, pageSize: 4 }, { cluster: 'many' })) all.push(...(page.serviceArns ?? []));
    const arn = (n: string) => `arn:aws:ecs:us-east-1:000000000000:service/many/${n}`;
    expect(all).toEqual([...names.slice(0, 11), 'daemon'].map(arn));
    expect((await env.ecs.send(new ListServicesCommand({ cluster: 'many', launchType: 'EXTERNAL' }))).serviceArns).toEqual([arn('svc-03')]);
    expect((await env.ecs.send(new ListServicesCommand({ cluster: 'many', schedulingStrategy: 'DAEMON' }))).serviceArns).toEqual([arn('daemon')]);
    expect((await env.ecs.send(new ListServicesCommand({ cluster: 'api', schedulingStrategy: 'DAEMON' }))).serviceArns).toEqual([]);
    expect((await failure(env.ecs.send(new ListServicesCommand({ cluster: 'many', maxResults: 101 })))).message).toMatch(/maxResults must be between 1 and 100/);
    expect(await failure(env.ecs.send(new ListServicesCommand({ cluster: 'many', nextToken: 'garbage!' })))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new ListServicesCommand({ cluster: 'nowhere' })))).toBeInstanceOf(ClusterNotFoundException);
  });
});
