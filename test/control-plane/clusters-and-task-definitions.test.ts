// Cluster and task-definition operations, and the ECS error shapes, through the real AWS SDK.
import {
  ClientException,
  ClusterNotFoundException,
  CreateClusterCommand,
  DeleteClusterCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  ListClustersCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { useControlPlane } from './control-plane-fixture.ts';

const env = useControlPlane();

const ARN_PREFIX = 'arn:aws:ecs:us-east-1:000000000000';

describe('clusters', () => {
  it('creates the default cluster idempotently and describes it with counts', async () => {
    const first = await env.ecs.send(new CreateClusterCommand({}));
    const second = await env.ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    expect(first.cluster).toMatchObject({ clusterName: 'default', clusterArn: `${ARN_PREFIX}:cluster/default`, status: 'ACTIVE' });
    expect(second.cluster!.clusterArn).toBe(first.cluster!.clusterArn);
    const d = await env.ecs.send(new DescribeClustersCommand({}));
    expect(d.clusters).toHaveLength(1);
    expect(d.clusters![0]).toMatchObject({
      clusterName: 'default', registeredContainerInstancesCount: 0, runningTasksCount: 0, pendingTasksCount: 0, activeServicesCount: 0,
    });
  });

  it('reports unknown clusters as MISSING failures', async () => {
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'alpha' }));
    const d = await env.ecs.send(new DescribeClustersCommand({ clusters: ['alpha', `${ARN_PREFIX}:cluster/alpha`, 'nope'] }));
    expect(d.clusters!.map((c) => c.clusterName)).toEqual(['alpha', 'alpha']);
    expect(d.failures).toEqual([{ arn: `${ARN_PREFIX}:cluster/nope`, reason: 'MISSING' }]);
  });

  it('lists clusters with pagination', async () => {
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'beta' }));
    const p1 = await env.ecs.send(new ListClustersCommand({ maxResults: 2 }));
    expect(p1.clusterArns).toEqual([`${ARN_PREFIX}:cluster/default`, `${ARN_PREFIX}:cluster/alpha`]);
    expect(p1.nextToken).toBeTypeOf('string');
    const p2 = await env.ecs.send(new ListClustersCommand({ maxResults: 2, nextToken: p1.nextToken }));
    expect(p2.clusterArns).toEqual([`${ARN_PREFIX}:cluster/beta`]);
    expect(p2.nextToken).toBeUndefined();
  });

  it('deletes a cluster (INACTIVE) and then treats it as not found', async () => {
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'doomed' }));
    const del = await env.ecs.send(new DeleteClusterCommand({ cluster: 'doomed' }));
    expect(del.cluster).toMatchObject({ clusterName: 'doomed', status: 'INACTIVE' });
    const d = await env.ecs.send(new DescribeClustersCommand({ clusters: ['doomed'] }));
    expect(d.clusters![0]!.status).toBe('INACTIVE');
    const list = await env.ecs.send(new ListClustersCommand({}));
    expect(list.clusterArns).not.toContain(`${ARN_PREFIX}:cluster/doomed`);
    const err = await env.ecs.send(new DeleteClusterCommand({ cluster: 'doomed' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterNotFoundException);
    expect((err as Error).message).toBe('Cluster not found.');
    expect((err as ClusterNotFoundException).$metadata.httpStatusCode).toBe(400);
  });
});

describe('task definitions', () => {
  const web = {
    family: 'web',
    containerDefinitions: [{ name: 'app', image: 'nginx:alpine', memory: 128, cpu: 64, portMappings: [{ containerPort: 80, hostPort: 8080 }], dockerLabels: { team: 'a' } }],
  };

  it('registers revisions per family and keeps every field', async () => {
    const r1 = await env.ecs.send(new RegisterTaskDefinitionCommand({ ...web, tags: [{ key: 'k', value: 'v' }] }));
    const r2 = await env.ecs.send(new RegisterTaskDefinitionCommand({ ...web, cpu: '0.5 vCPU', memory: '1GB' }));
    expect(r1.taskDefinition).toMatchObject({
      taskDefinitionArn: `${ARN_PREFIX}:task-definition/web:1`, family: 'web', revision: 1, status: 'ACTIVE',
      compatibilities: ['EC2', 'EXTERNAL'], networkMode: 'bridge',
    });
    expect(r1.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect(r1.taskDefinition!.registeredAt).toBeInstanceOf(Date);
    expect(Math.abs(r1.taskDefinition!.registeredAt!.getTime() - Date.now())).toBeLessThan(5000);
    expect(r1.taskDefinition!.containerDefinitions![0]).toEqual(web.containerDefinitions[0]);
    expect(r2.taskDefinition).toMatchObject({ revision: 2, cpu: '512', memory: '1024' });
  });

  it('describes by family (latest ACTIVE), family:rev and ARN', async () => {
    const latest = await env.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }));
    expect(latest.taskDefinition!.revision).toBe(2);
    const one = await env.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:1', include: ['TAGS'] }));
    expect(one.taskDefinition!.revision).toBe(1);
    expect(one.tags).toEqual([{ key: 'k', value: 'v' }]);
    const byArn = await env.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${ARN_PREFIX}:task-definition/web:2` }));
    expect(byArn.taskDefinition!.cpu).toBe('512');
  });

  it('answers ClientException for an unknown task definition', async () => {
    const err = await env.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'ghost:7' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientException);
    expect((err as Error).message).toBe('Unable to describe task definition.');
  });

  it('validates definitions the way ECS does', async () => {
    const bad = async (input: object) => {
      const err = await env.ecs.send(new RegisterTaskDefinitionCommand(input as never)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClientException);
      return (err as Error).message;
    };
    expect(await bad({ family: 'bad family!', containerDefinitions: [{ name: 'a', image: 'i', memory: 8 }] })).toMatch(/Family/);
    expect(await bad({ family: 'f', containerDefinitions: [] })).toBe('Container list cannot be empty.');
    expect(await bad({ family: 'f', containerDefinitions: [{ image: 'i', memory: 8 }] })).toBe('Container.name should not be null or empty.');
    expect(await bad({ family: 'f', containerDefinitions: [{ name: 'a', memory: 8 }] })).toBe('Container.image should not be null or empty.');
    expect(await bad({ family: 'f', containerDefinitions: [{ name: 'box', image: 'i' }] })).toBe(
      "Invalid setting for container 'box'. At least one of 'memory' or 'memoryReservation' must be specified.",
    );
    const c = (extra: object) => ({ family: 'f', containerDefinitions: [{ name: 'a', image: 'i', memory: 8, ...extra }, { name: 'b', image: 'i', memory: 8 }] });
    expect(await bad(c({ logConfiguration: { logDriver: 'none' } }))).toBe(
      "Invalid setting for container 'a'. logConfiguration.logDriver 'none' must be one of: json-file, syslog, journald, gelf, fluentd, awslogs, splunk, awsfirelens.",
    );
    expect(await bad(c({ portMappings: [{ containerPort: 80, protocol: 'sctp' }] }))).toMatch(/portMappings.protocol 'sctp' must be one of: tcp, udp/);
    expect(await bad(c({ ulimits: [{ name: 'files', softLimit: 1, hardLimit: 1 }] }))).toMatch(/ulimits.name 'files'/);
    expect(await bad(c({ dependsOn: [{ containerName: 'b', condition: 'READY' }] }))).toMatch(/dependsOn.condition 'READY' must be one of: START, COMPLETE, SUCCESS, HEALTHY/);
    expect(await bad(c({ dependsOn: [{ containerName: 'ghost', condition: 'START' }] }))).toMatch(/dependsOn names 'ghost', which is not a container/);
    expect(await bad(c({ dependsOn: [{ containerName: 'a', condition: 'START' }] }))).toMatch(/cannot depend on itself/);
    // Task-level memory makes container memory optional.
    const ok = await env.ecs.send(new RegisterTaskDefinitionCommand({ family: 'f', memory: '256', containerDefinitions: [{ name: 'box', image: 'i' }] }));
    expect(ok.taskDefinition!.revision).toBe(1);
  });

  it('lists with familyPrefix, status, sort and pagination; deregisters to INACTIVE', async () => {
    const asc = await env.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web' }));
    expect(asc.taskDefinitionArns).toEqual([`${ARN_PREFIX}:task-definition/web:1`, `${ARN_PREFIX}:task-definition/web:2`]);
    const desc = await env.ecs.send(new ListTaskDefinitionsCommand({ sort: 'DESC', maxResults: 1 }));
    expect(desc.taskDefinitionArns).toEqual([`${ARN_PREFIX}:task-definition/web:2`]);
    expect(desc.nextToken).toBeTypeOf('string');

    const dereg = await env.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:2' }));
    expect(dereg.taskDefinition).toMatchObject({ status: 'INACTIVE', revision: 2 });
    expect(dereg.taskDefinition!.deregisteredAt).toBeInstanceOf(Date);
    const latest = await env.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }));
    expect(latest.taskDefinition!.revision).toBe(1);
    const inactive = await env.ecs.send(new ListTaskDefinitionsCommand({ status: 'INACTIVE' }));
    expect(inactive.taskDefinitionArns).toEqual([`${ARN_PREFIX}:task-definition/web:2`]);
  });
});

describe('wire errors (raw HTTP)', () => {
  const signedHeaders = (target: string) => ({
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': target,
    'x-amz-date': '20260101T000000Z',
    authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/ecs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${'a'.repeat(64)}`,
  });

  async function call(headers: Record<string, string>, body: string) {
    const res = await fetch(env.cp.url, { method: 'POST', headers, body });
    return { status: res.status, type: res.headers.get('x-amzn-errortype'), contentType: res.headers.get('content-type'), body: await res.json() as Record<string, string> };
  }

  it('SerializationException for a non-JSON body', async () => {
    const r = await call(signedHeaders('AmazonEC2ContainerServiceV20141113.ListClusters'), '{not json');
    expect(r).toMatchObject({ status: 400, type: 'SerializationException', contentType: 'application/x-amz-json-1.1' });
    expect(r.body.__type).toBe('SerializationException');
  });

  it('UnknownOperationException for a bogus target', async () => {
    const r = await call(signedHeaders('AmazonEC2ContainerServiceV20141113.FlyToTheMoon'), '{}');
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ __type: 'UnknownOperationException', message: 'Unknown operation AmazonEC2ContainerServiceV20141113.FlyToTheMoon' });
  });

  it('MissingAuthenticationTokenException (403) when unsigned', async () => {
    const { authorization: _a, ...unsigned } = signedHeaders('AmazonEC2ContainerServiceV20141113.ListClusters');
    const r = await call(unsigned, '{}');
    expect(r).toMatchObject({ status: 403, type: 'MissingAuthenticationTokenException' });
    expect(r.body.message).toBe('Missing Authentication Token');
  });

  it('IncompleteSignatureException (403) for an ill-shaped signature', async () => {
    const r = await call({ ...signedHeaders('AmazonEC2ContainerServiceV20141113.ListClusters'), authorization: 'AWS4-HMAC-SHA256 garbage' }, '{}');
    expect(r).toMatchObject({ status: 403, type: 'IncompleteSignatureException' });
  });

  it('answers a signed valid call with 200 and a request id', async () => {
    const res = await fetch(env.cp.url, { method: 'POST', headers: signedHeaders('AmazonEC2ContainerServiceV20141113.ListClusters'), body: '{}' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await res.json()) as { clusterArns: string[] }).clusterArns).toContain(`${ARN_PREFIX}:cluster/default`);
  });
});
