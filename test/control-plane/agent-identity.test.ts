// What ECS adds to a container instance that the agent does not send itself: placement facts from
// the EC2 identity document, and versionInfo learnt from the ACS connection's query.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import WebSocket from 'ws';
import {
  CreateClusterCommand, DescribeContainerInstancesCommand, ECSClient, RegisterContainerInstanceCommand,
} from '@aws-sdk/client-ecs';
import { startControlPlane, type RunningControlPlane } from '../../src/control-plane/index.ts';
import { signWebsocketUpgrade } from '../../src/protocol/sigv4-websocket.ts';

const creds = { accessKeyId: 'AKIDIDENTITY', secretAccessKey: 'x' };
let cp: RunningControlPlane;
let client: ECSClient;
beforeAll(async () => {
  cp = await startControlPlane({ port: 0, region: 'us-west-2', logger: pino({ level: 'silent' }) });
  client = new ECSClient({ endpoint: cp.url, region: 'us-west-2', credentials: creds });
  await client.send(new CreateClusterCommand({ clusterName: 'idc' }));
});
afterAll(async () => { client.destroy(); await cp.close(); });

describe('container instance identity', () => {
  it('adds ecs.availability-zone / instance-type / ami-id from the identity document, keeping every sent attribute', async () => {
    const doc = JSON.stringify({ availabilityZone: 'us-west-2a', instanceId: 'i-0123456789abcdef0', instanceType: 'm5.large', imageId: 'ami-0abc', region: 'us-west-2' });
    const out = await client.send(new RegisterContainerInstanceCommand({
      cluster: 'idc', instanceIdentityDocument: doc, instanceIdentityDocumentSignature: 'c2ln',
      attributes: [{ name: 'ecs.os-type', value: 'linux' }, { name: 'custom', value: 'x' }],
      totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 2048 }],
    }));
    const ci = out.containerInstance!;
    expect(ci.ec2InstanceId).toBe('i-0123456789abcdef0');
    expect(ci.attributes).toEqual([
      { name: 'ecs.os-type', value: 'linux' }, { name: 'custom', value: 'x' },
      { name: 'ecs.availability-zone', value: 'us-west-2a' }, { name: 'ecs.instance-type', value: 'm5.large' }, { name: 'ecs.ami-id', value: 'ami-0abc' },
    ]);
  });

  it('versionInfo comes from the ACS query, as the real agent sends none at registration', async () => {
    const reg = await client.send(new RegisterContainerInstanceCommand({ cluster: 'idc', attributes: [{ name: 'ecs.capability.external' }], totalResources: [] }));
    const arn = reg.containerInstance!.containerInstanceArn!;
    expect(reg.containerInstance!.versionInfo).toBeUndefined();
    const url = `${cp.url.replace('http', 'ws')}/acs/ws?agentHash=abc123&agentVersion=0.1.0&clusterArn=idc&containerInstanceArn=${encodeURIComponent(arn)}` +
      `&dockerVersion=${encodeURIComponent('DockerVersion: 20.10.24')}&protocolVersion=2&sendCredentials=true&seqNum=1`;
    const ws = new WebSocket(url, { headers: await signWebsocketUpgrade({ url, region: 'us-west-2', credentials: creds }) });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const d = await client.send(new DescribeContainerInstancesCommand({ cluster: 'idc', containerInstances: [arn] }));
    expect(d.containerInstances![0]!.versionInfo).toEqual({ agentVersion: '0.1.0', agentHash: 'abc123', dockerVersion: 'DockerVersion: 20.10.24' });
    expect(d.containerInstances![0]!.agentConnected).toBe(true);
    ws.close();
  });
});
