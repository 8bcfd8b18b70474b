// PutAttributes / ListAttributes / DeleteAttributes through the real SDK: custom attributes on
// container instances, their validation and limits, and that they survive the agent's
// re-registration and a control-plane restart (SQLite store).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttributeLimitExceededException, CreateClusterCommand, DeleteAttributesCommand, DescribeContainerInstancesCommand, InvalidParameterException,
  ListAttributesCommand, PutAttributesCommand, RegisterContainerInstanceCommand, TargetNotFoundException, type Attribute, type ECSClient,
} from '@aws-sdk/client-ecs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type RunningControlPlane } from '../../src/control-plane/index.ts';
import { FakeAgent, ecsClient } from './fake-agent.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'dockhand-attributes-'));
let cp: RunningControlPlane;
let ecs: ECSClient;
let one: FakeAgent;
let two: FakeAgent;
const CLUSTER = 'attrs';

const start = async () => {
  cp = await startControlPlane({ logger: pino({ level: 'silent' }), dataDir });
  ecs = ecsClient(cp.url);
};
const attributesOf = async (arn: string): Promise<Attribute[]> =>
  (await ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: [arn] }))).containerInstances![0]!.attributes!;
const custom = (attrs: Attribute[]) => attrs.filter((a) => !a.name!.startsWith('ecs.') && !a.name!.startsWith('com.amazonaws.'));
const shortId = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

async function refusal(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof Error)) throw new Error('the call succeeded');
  return err;
}

beforeAll(async () => {
  await start();
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  one = await FakeAgent.register({ url: cp.url, cluster: CLUSTER });
  two = await FakeAgent.register({ url: cp.url, cluster: CLUSTER, attributes: [{ name: 'team', value: 'core' }] });
});
afterAll(async () => {
  await one.close();
  await two.close();
  ecs.destroy();
  await cp.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('PutAttributes, ListAttributes, DeleteAttributes', () => {
  it('puts custom attributes by ARN or by short ID with targetType, and DescribeContainerInstances shows them', async () => {
    const put = await ecs.send(new PutAttributesCommand({
      cluster: CLUSTER,
      attributes: [
        { name: 'stack', value: 'prod', targetId: one.containerInstanceArn },
        { name: 'rack/row\\7', value: 'A1 @ hall:2', targetType: 'container-instance', targetId: shortId(one.containerInstanceArn) },
        { name: 'canary', targetId: two.containerInstanceArn },
      ],
    }));
    expect(put.attributes).toEqual([
      { name: 'stack', value: 'prod', targetType: 'container-instance', targetId: one.containerInstanceArn },
      { name: 'rack/row\\7', value: 'A1 @ hall:2', targetType: 'container-instance', targetId: one.containerInstanceArn },
      { name: 'canary', targetType: 'container-instance', targetId: two.containerInstanceArn },
    ]);
    expect(custom(await attributesOf(one.containerInstanceArn))).toEqual([{ name: 'stack', value: 'prod' }, { name: 'rack/row\\7', value: 'A1 @ hall:2' }]);
    // Putting again replaces the value; an agent-registered attribute of the same name is overlaid.
    await ecs.send(new PutAttributesCommand({ cluster: CLUSTER, attributes: [{ name: 'stack', value: 'qa', targetId: one.containerInstanceArn }, { name: 'team', value: 'edge', targetId: two.containerInstanceArn }] }));
    expect(custom(await attributesOf(one.containerInstanceArn))).toContainEqual({ name: 'stack', value: 'qa' });
    expect(custom(await attributesOf(two.containerInstanceArn))).toEqual([{ name: 'canary' }, { name: 'team', value: 'edge' }]);
  });

  it('lists every attribute of the cluster, filtered by name and value, in pages', async () => {
    const byName = await ecs.send(new ListAttributesCommand({ cluster: CLUSTER, targetType: 'container-instance', attributeName: 'stack' }));
    expect(byName.attributes).toEqual([{ name: 'stack', value: 'qa', targetType: 'container-instance', targetId: one.containerInstanceArn }]);
    const linux = await ecs.send(new ListAttributesCommand({ cluster: CLUSTER, targetType: 'container-instance', attributeName: 'ecs.os-type', attributeValue: 'linux' }));
    expect(linux.attributes!.map((a) => a.targetId)).toEqual([one.containerInstanceArn, two.containerInstanceArn]);
    const everything: Attribute[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListAttributesCommand({ cluster: CLUSTER, targetType: 'container-instance', maxResults: 5, ...(nextToken ? { nextToken } : {}) }));
      expect(page.attributes!.length).toBeLessThanOrEqual(5);
      everything.push(...page.attributes!);
      nextToken = page.nextToken;
    } while (nextToken);
    const whole = [...await attributesOf(one.containerInstanceArn), ...await attributesOf(two.containerInstanceArn)];
    expect(everything).toHaveLength(whole.length);
    expect(everything).toContainEqual({ name: 'canary', targetType: 'container-instance', targetId: two.containerInstanceArn });
  });

  it('deletes custom attributes (value not needed), and deleting one that is not there is harmless', async () => {
    const out = await ecs.send(new DeleteAttributesCommand({
      cluster: CLUSTER,
      attributes: [{ name: 'canary', targetId: two.containerInstanceArn }, { name: 'never-set', targetId: two.containerInstanceArn }],
    }));
    expect(out.attributes!.map((a) => a.name)).toEqual(['canary', 'never-set']);
    expect(custom(await attributesOf(two.containerInstanceArn))).toEqual([{ name: 'team', value: 'edge' }]);
  });

  it('validates names, values, targets and the limits', async () => {
    const put = (attributes: Attribute[]) => ecs.send(new PutAttributesCommand({ cluster: CLUSTER, attributes }));
    const target = one.containerInstanceArn;
    const cases: Array<[Attribute[], RegExp]> = [
      [[{ name: 'bad name', value: 'x', targetId: target }], /name 'bad name' is invalid/],
      [[{ name: 'x'.repeat(129), targetId: target }], /is invalid: 1 to 128/],
      [[{ name: 'ok', value: ' padded', targetId: target }], /value ' padded' is invalid/],
      [[{ name: 'ok', value: 'semi;colon', targetId: target }], /value 'semi;colon' is invalid/],
      [[{ name: 'ok', targetId: shortId(target) }], /a short targetId needs targetType container-instance/],
      [[{ name: 'ok', targetType: 'service' as never, targetId: target }], /targetType must be container-instance/],
      [[{ name: 'ecs.capability.task-eni', targetId: target }], /reserved/],
      [Array.from({ length: 11 }, (_, i) => ({ name: `n${i}`, targetId: target })), /at most 10 items/],
    ];
    for (const [attributes, message] of cases) {
      const err = await refusal(put(attributes));
      expect(err, String(message)).toBeInstanceOf(InvalidParameterException);
      expect(err.message).toMatch(message);
    }
    const missing = await refusal(put([{ name: 'ok', targetType: 'container-instance', targetId: 'f00dbabe' }]));
    expect(missing).toBeInstanceOf(TargetNotFoundException);
    // 2 custom attributes are on `one` already (stack, rack/row\7): 8 more fit, a 9th does not.
    await put(Array.from({ length: 8 }, (_, i) => ({ name: `slot${i}`, targetId: target })));
    const over = await refusal(put([{ name: 'slot8', targetId: target }, { name: 'stack', value: 'replaced', targetId: target }]));
    expect(over).toBeInstanceOf(AttributeLimitExceededException);
    // Nothing of the refused call was written.
    expect(custom(await attributesOf(target))).toContainEqual({ name: 'stack', value: 'qa' });
    await ecs.send(new DeleteAttributesCommand({ cluster: CLUSTER, attributes: Array.from({ length: 8 }, (_, i) => ({ name: `slot${i}`, targetId: target })) }));

    const list = (input: Partial<ConstructorParameters<typeof ListAttributesCommand>[0]>) =>
      ecs.send(new ListAttributesCommand({ cluster: CLUSTER, targetType: 'container-instance', ...input }));
    expect((await refusal(list({ targetType: undefined as never }))).message).toMatch(/targetType can not be blank/);
    expect((await refusal(list({ attributeValue: 'linux' }))).message).toMatch(/attributeValue needs attributeName/);
    expect(await refusal(ecs.send(new DeleteAttributesCommand({ cluster: CLUSTER, attributes: [{ name: 'x', targetId: `${target}0` }] })))).toBeInstanceOf(TargetNotFoundException);
  });

  it('keeps custom attributes when the agent re-registers and when the control plane restarts', async () => {
    await one.client.send(new RegisterContainerInstanceCommand({
      cluster: CLUSTER, containerInstanceArn: one.containerInstanceArn,
      totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 1024 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 1024 }],
      attributes: [{ name: 'ecs.os-type', value: 'linux' }],
    }));
    expect(custom(await attributesOf(one.containerInstanceArn))).toEqual([{ name: 'stack', value: 'qa' }, { name: 'rack/row\\7', value: 'A1 @ hall:2' }]);
    ecs.destroy();
    await cp.close();
    await start();
    expect(custom(await attributesOf(one.containerInstanceArn))).toEqual([{ name: 'stack', value: 'qa' }, { name: 'rack/row\\7', value: 'A1 @ hall:2' }]);
    const listed = await ecs.send(new ListAttributesCommand({ cluster: CLUSTER, targetType: 'container-instance', attributeName: 'stack', attributeValue: 'qa' }));
    expect(listed.attributes!.map((a) => a.targetId)).toEqual([one.containerInstanceArn]);
  });
});
