// Bad input against `dockhand local` gets the ECS error shape, and loses nothing: after every
// error the control plane and the agent still run tasks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeClustersCommand, RunTaskCommand, DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand,
  ClusterNotFoundException, ClientException, InvalidParameterException,
} from '@aws-sdk/client-ecs';
import { startLocalHarness, TEST_IMAGE, type LocalHarness } from './local-harness.ts';

let h: LocalHarness;
beforeAll(async () => { h = await startLocalHarness(); });
afterAll(async () => { await h?.stop(); });

async function rawCall(target: string, body: string): Promise<{ status: number; json: { __type?: string; message?: string } }> {
  const res = await fetch(h.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
      // A SigV4-shaped header: the control plane checks the shape (it has no secret to check against).
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDTEST/20261123/us-east-1/ecs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=' + '0'.repeat(64),
      'x-amz-date': '20261123T000000Z',
    },
    body,
  });
  return { status: res.status, json: await res.json() as { __type?: string; message?: string } };
}

describe('ECS errors from dockhand local', () => {
  it('ClusterNotFoundException for RunTask in an unknown cluster', async () => {
    const err = await h.client.send(new RunTaskCommand({ cluster: 'no-such-cluster', taskDefinition: 'x' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterNotFoundException);
    expect((err as Error).message).toMatch(/cluster/i);
  });

  it('ClientException for an unknown task definition', async () => {
    const run = await h.client.send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'never-registered' })).catch((e: unknown) => e);
    expect(run).toBeInstanceOf(ClientException);
    const describe = await h.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'never-registered:7' })).catch((e: unknown) => e);
    expect(describe).toBeInstanceOf(ClientException);
  });

  it('InvalidParameterException for count 11', async () => {
    await h.client.send(new RegisterTaskDefinitionCommand({ family: 'e2e-count', containerDefinitions: [{ name: 'c', image: TEST_IMAGE, memory: 16 }] }));
    const err = await h.client.send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'e2e-count', count: 11 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect((err as Error).message).toMatch(/count/i);
  });

  it('SerializationException for a body that is not JSON', async () => {
    const r = await rawCall('AmazonEC2ContainerServiceV20141113.ListClusters', '{not json');
    expect(r.status).toBe(400);
    expect(r.json.__type).toMatch(/SerializationException$/);
  });

  it('UnknownOperationException for an unknown target', async () => {
    const r = await rawCall('AmazonEC2ContainerServiceV20141113.LaunchRockets', '{}');
    expect(r.status).toBe(400);
    expect(r.json.__type).toMatch(/UnknownOperationException$/);
  });

  it('still serves after all of that', async () => {
    const out = await h.client.send(new DescribeClustersCommand({ clusters: ['default'] }));
    expect(out.clusters?.[0]?.clusterName).toBe('default');
    expect(out.clusters?.[0]?.registeredContainerInstancesCount).toBe(1);
  });
});
