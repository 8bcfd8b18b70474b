// Every operation of the ECS API reference (boto3's ECS client, the list at the top of its
// documentation, without the client-side helpers can_paginate, generate_presigned_url,
// get_paginator and get_waiter) is routed by the control plane, and none of them crashes on an
// empty request: each answers 200 or an ECS client error, never UnknownOperation or a 500.
import { describe, expect, it } from 'vitest';
import { SUPPORTED_OPERATIONS } from '../../src/control-plane/ecs-api/router.ts';
import { useControlPlane } from './control-plane-fixture.ts';

const REFERENCE_OPERATIONS = [
  'CreateCapacityProvider', 'CreateCluster', 'CreateService', 'CreateTaskSet', 'DeleteAccountSetting',
  'DeleteAttributes', 'DeleteCapacityProvider', 'DeleteCluster', 'DeleteService', 'DeleteTaskSet',
  'DeregisterContainerInstance', 'DeregisterTaskDefinition', 'DescribeCapacityProviders', 'DescribeClusters',
  'DescribeContainerInstances', 'DescribeServices', 'DescribeTaskDefinition', 'DescribeTaskSets', 'DescribeTasks',
  'DiscoverPollEndpoint', 'ExecuteCommand', 'ListAccountSettings', 'ListAttributes', 'ListClusters',
  'ListContainerInstances', 'ListServices', 'ListTagsForResource', 'ListTaskDefinitionFamilies',
  'ListTaskDefinitions', 'ListTasks', 'PutAccountSettingDefault', 'PutAccountSetting', 'PutAttributes',
  'PutClusterCapacityProviders', 'RegisterContainerInstance', 'RegisterTaskDefinition', 'RunTask', 'StartTask',
  'StopTask', 'SubmitAttachmentStateChanges', 'SubmitContainerStateChange', 'SubmitTaskStateChange', 'TagResource',
  'UntagResource', 'UpdateCapacityProvider', 'UpdateClusterSettings', 'UpdateCluster', 'UpdateContainerAgent',
  'UpdateContainerInstancesState', 'UpdateServicePrimaryTaskSet', 'UpdateService', 'UpdateTaskSet',
];

const env = useControlPlane();

/** A raw ECS JSON 1.1 call (SigV4-shaped header: the control plane checks its shape only). */
async function call(op: string, body: unknown): Promise<{ status: number; type: string | null }> {
  const res = await fetch(env.cp.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AmazonEC2ContainerServiceV20141113.${op}`,
      'x-amz-date': '20260101T000000Z',
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/ecs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${'a'.repeat(64)}`,
    },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return { status: res.status, type: res.headers.get('x-amzn-errortype') };
}

describe('ECS API coverage', () => {
  it('the reference lists the 52 operations', () => {
    expect(new Set(REFERENCE_OPERATIONS).size).toBe(52);
  });

  it('routes every operation of the reference (the failure lists the missing ones)', () => {
    const missing = REFERENCE_OPERATIONS.filter((op) => !SUPPORTED_OPERATIONS.includes(op));
    expect(missing).toEqual([]);
  });

  it('answers every routed reference operation with 200 or an ECS client error for an empty request', async () => {
    const wrong: string[] = [];
    for (const op of REFERENCE_OPERATIONS.filter((o) => SUPPORTED_OPERATIONS.includes(o))) {
      const { status, type } = await call(op, {});
      if (status !== 200 && (status >= 500 || !type || type === 'UnknownOperationException')) wrong.push(`${op}: ${status} ${type ?? ''}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers wrongly typed fields with SerializationException, not a crash', async () => {
    const wrong: string[] = [];
    const junk = { cluster: 7, resourceArn: [], tags: 'x', name: {}, capacityProviders: 'p', settings: 3, include: 'TAGS', maxResults: 'ten', task: 1, containerInstance: 2 };
    for (const op of REFERENCE_OPERATIONS.filter((o) => SUPPORTED_OPERATIONS.includes(o))) {
      const { status, type } = await call(op, junk);
      if (status >= 500 || type === 'UnknownOperationException') wrong.push(`${op}: ${status} ${type ?? ''}`);
    }
    expect(wrong).toEqual([]);
  });
});
