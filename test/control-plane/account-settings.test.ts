// PutAccountSetting, PutAccountSettingDefault, ListAccountSettings, DeleteAccountSetting through
// the real SDK: precedence (principal > root > account default > ECS default), paging, errors,
// and containerInsights deciding the setting of new clusters.
import {
  CreateClusterCommand,
  DeleteAccountSettingCommand,
  DescribeClustersCommand,
  InvalidParameterException,
  ListAccountSettingsCommand,
  PutAccountSettingCommand,
  PutAccountSettingDefaultCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { failure, useControlPlane } from './control-plane-fixture.ts';

const ROOT = 'arn:aws:iam::000000000000:root';
const ALICE = 'arn:aws:iam::000000000000:user/alice';
const ROLE = 'arn:aws:iam::000000000000:role/deployer';
const env = useControlPlane();

const effective = async (principalArn?: string) =>
  (await env.ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true, ...(principalArn ? { principalArn } : {}) }))).settings;

describe('account settings', () => {
  it('lists ECS defaults as the effective settings of a fresh account, and nothing explicit', async () => {
    expect(await effective()).toEqual([
      { name: 'serviceLongArnFormat', value: 'enabled', principalArn: ROOT },
      { name: 'taskLongArnFormat', value: 'enabled', principalArn: ROOT },
      { name: 'containerInstanceLongArnFormat', value: 'enabled', principalArn: ROOT },
      { name: 'awsvpcTrunking', value: 'disabled', principalArn: ROOT },
      { name: 'containerInsights', value: 'disabled', principalArn: ROOT },
    ]);
    expect((await env.ecs.send(new ListAccountSettingsCommand({}))).settings).toEqual([]);
  });

  it('applies principal > root > account default, and deletes back down the chain', async () => {
    const d = await env.ecs.send(new PutAccountSettingDefaultCommand({ name: 'containerInsights', value: 'enabled' }));
    expect(d.setting).toEqual({ name: 'containerInsights', value: 'enabled', principalArn: ROOT });
    const a = await env.ecs.send(new PutAccountSettingCommand({ name: 'containerInsights', value: 'disabled', principalArn: ALICE }));
    expect(a.setting).toEqual({ name: 'containerInsights', value: 'disabled', principalArn: ALICE });
    const pick = (s: Awaited<ReturnType<typeof effective>>) => s!.find((x) => x.name === 'containerInsights');
    expect(pick(await effective(ALICE))).toEqual({ name: 'containerInsights', value: 'disabled', principalArn: ALICE });
    expect(pick(await effective(ROLE))).toEqual({ name: 'containerInsights', value: 'enabled', principalArn: ROOT });
    // Without effectiveSettings, only what the principal set itself.
    expect((await env.ecs.send(new ListAccountSettingsCommand({ principalArn: ALICE }))).settings).toEqual([a.setting]);
    expect((await env.ecs.send(new ListAccountSettingsCommand({ principalArn: ROLE }))).settings).toEqual([]);
    // The caller (no principalArn) is the root user, whose setting the account default is.
    expect((await env.ecs.send(new ListAccountSettingsCommand({ name: 'containerInsights' }))).settings).toEqual([d.setting]);

    const del = await env.ecs.send(new DeleteAccountSettingCommand({ name: 'containerInsights', principalArn: ALICE }));
    expect(del.setting).toEqual(a.setting);
    expect(pick(await effective(ALICE))).toEqual({ name: 'containerInsights', value: 'enabled', principalArn: ROOT });
    await env.ecs.send(new DeleteAccountSettingCommand({ name: 'containerInsights' }));
    expect(pick(await effective(ALICE))!.value).toBe('disabled');
    const err = await failure(env.ecs.send(new DeleteAccountSettingCommand({ name: 'containerInsights', principalArn: ALICE })));
    expect(err).toBeInstanceOf(InvalidParameterException);
  });

  it('filters by name and value, and pages 1..10', async () => {
    await env.ecs.send(new PutAccountSettingCommand({ name: 'awsvpcTrunking', value: 'enabled' }));
    const byValue = await env.ecs.send(new ListAccountSettingsCommand({ name: 'awsvpcTrunking', value: 'enabled', effectiveSettings: true }));
    expect(byValue.settings).toEqual([{ name: 'awsvpcTrunking', value: 'enabled', principalArn: ROOT }]);
    expect((await env.ecs.send(new ListAccountSettingsCommand({ name: 'awsvpcTrunking', value: 'disabled', effectiveSettings: true }))).settings).toEqual([]);
    const p1 = await env.ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true, maxResults: 2 }));
    expect(p1.settings!.map((s) => s.name)).toEqual(['serviceLongArnFormat', 'taskLongArnFormat']);
    const p2 = await env.ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true, maxResults: 2, nextToken: p1.nextToken }));
    expect(p2.settings!.map((s) => s.name)).toEqual(['containerInstanceLongArnFormat', 'awsvpcTrunking']);
    const p3 = await env.ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true, maxResults: 2, nextToken: p2.nextToken }));
    expect(p3.settings!.map((s) => s.name)).toEqual(['containerInsights']);
    expect(p3.nextToken).toBeUndefined();
    for (const maxResults of [0, 11]) {
      expect(await failure(env.ecs.send(new ListAccountSettingsCommand({ maxResults })))).toBeInstanceOf(InvalidParameterException);
    }
    expect(await failure(env.ecs.send(new ListAccountSettingsCommand({ nextToken: 'garbage!' })))).toBeInstanceOf(InvalidParameterException);
    await env.ecs.send(new DeleteAccountSettingCommand({ name: 'awsvpcTrunking' }));
  });

  it('refuses unknown names, bad values, foreign or malformed principals', async () => {
    const bad = async (input: Record<string, unknown>) => {
      const err = await failure(env.ecs.send(new PutAccountSettingCommand(input as never)));
      expect(err).toBeInstanceOf(InvalidParameterException);
      return err.message;
    };
    expect(await bad({ name: 'fargateFIPSMode', value: 'enabled' })).toMatch(/Invalid setting name/);
    expect(await bad({ name: 'containerInsights', value: 'on' })).toMatch(/use enabled or disabled/);
    expect(await bad({ name: 'containerInsights' })).toBe('value can not be blank.');
    expect(await bad({ name: 'containerInsights', value: 'enabled', principalArn: 'alice' })).toMatch(/Invalid principalArn/);
    expect(await bad({ name: 'containerInsights', value: 'enabled', principalArn: 'arn:aws:iam::111111111111:user/bob' })).toMatch(/not in this account/);
    // Dockhand always makes long ARNs: opting out is refused rather than silently ignored.
    expect(await bad({ name: 'taskLongArnFormat', value: 'disabled' })).toMatch(/always uses the long ARN format/);
    const put = await env.ecs.send(new PutAccountSettingCommand({ name: 'taskLongArnFormat', value: 'enabled' }));
    expect(put.setting!.value).toBe('enabled');
    expect(await failure(env.ecs.send(new PutAccountSettingDefaultCommand({ name: 'nope' as never, value: 'enabled' })))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new ListAccountSettingsCommand({ value: 'enabled' })))).toBeInstanceOf(InvalidParameterException);
  });

  it('containerInsights decides the setting of new clusters unless the cluster sets its own', async () => {
    await env.ecs.send(new PutAccountSettingDefaultCommand({ name: 'containerInsights', value: 'enabled' }));
    const made = await env.ecs.send(new CreateClusterCommand({ clusterName: 'insightful' }));
    expect(made.cluster!.settings).toEqual([{ name: 'containerInsights', value: 'enabled' }]);
    const own = await env.ecs.send(new CreateClusterCommand({ clusterName: 'quiet', settings: [{ name: 'containerInsights', value: 'disabled' }] }));
    expect(own.cluster!.settings).toEqual([{ name: 'containerInsights', value: 'disabled' }]);
    const d = await env.ecs.send(new DescribeClustersCommand({ clusters: ['insightful'], include: ['SETTINGS'] }));
    expect(d.clusters![0]!.settings).toEqual([{ name: 'containerInsights', value: 'enabled' }]);
  });
});
