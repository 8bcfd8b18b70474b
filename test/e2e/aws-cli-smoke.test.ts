// The README's walk-through, with the real AWS CLI v2 (Debian's awscli) against `dockhand local`:
// register a task definition, run it, wait with the CLI's own waiters, stop it with a reason; then
// the rest of the API (tags, account settings, capacity providers, cluster updates, families,
// UpdateContainerAgent, ExecuteCommand) as the CLI calls it.
import { ExecuteCommandCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { docker, startLocalHarness, TEST_IMAGE, type LocalHarness } from './local-harness.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws'; // Debian's awscli (v2); bootstrap.sh --test installs it
let h: LocalHarness;
beforeAll(async () => { h = await startLocalHarness(); });
afterAll(async () => { await h?.stop(); });

async function aws(...args: string[]): Promise<string> {
  const { stdout } = await run(AWS, ['ecs', ...args, '--endpoint-url', h.url, '--output', 'text'], {
    env: { PATH: process.env.PATH, HOME: h.dataDir, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'us-east-1', AWS_PAGER: '' },
    timeout: 60_000,
  });
  return stdout.trim();
}

/** The same, for a call that must fail: the CLI's error text (it names the ECS error type). */
async function awsError(...args: string[]): Promise<string> {
  const err = await aws(...args).then(() => undefined, (e: unknown) => e as { stderr?: string; code?: number });
  if (!err) throw new Error(`aws ecs ${args[0]} succeeded but should have failed`);
  expect(err.code).not.toBe(0);
  return err.stderr ?? '';
}

describe('AWS CLI v2 against dockhand local', () => {
  it('runs the README walk-through', async () => {
    const version = (await run(AWS, ['--version'])).stdout;
    expect(version).toMatch(/^aws-cli\/2\./);
    const containers = JSON.stringify([{
      name: 'web', image: TEST_IMAGE, memory: 64, portMappings: [{ containerPort: 8080 }],
      command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'],
    }]);
    expect(await aws('register-task-definition', '--family', 'cli-web', '--container-definitions', containers, '--query', 'taskDefinition.revision'))
      .toBe('1');
    const taskArn = await aws('run-task', '--task-definition', 'cli-web', '--query', 'tasks[0].taskArn');
    expect(taskArn).toMatch(/^arn:aws:ecs:us-east-1:\d{12}:task\/default\/[0-9a-f]{32}$/);
    await aws('wait', 'tasks-running', '--tasks', taskArn);
    const [status, hostPort] = (await aws('describe-tasks', '--tasks', taskArn, '--query', 'tasks[0].[lastStatus,containers[0].networkBindings[0].hostPort]')).split(/\s+/);
    expect(status).toBe('RUNNING');
    expect(Number(hostPort)).toBeGreaterThan(0);
    expect(await aws('stop-task', '--task', taskArn, '--reason', 'done', '--query', 'task.desiredStatus')).toBe('STOPPED');
    await aws('wait', 'tasks-stopped', '--tasks', taskArn);
    expect((await aws('describe-tasks', '--tasks', taskArn, '--query', 'tasks[0].[lastStatus,stoppedReason,containers[0].exitCode]')).split('\t'))
      .toEqual(['STOPPED', 'done', '0']);
    const instances = await aws('list-container-instances', '--query', 'length(containerInstanceArns)');
    expect(instances).toBe('1');
  });

  it('tags, account settings, capacity providers, cluster updates and task definition families', async () => {
    const clusterArn = await aws('create-cluster', '--cluster-name', 'cli-ops', '--tags', 'key=team,value=core', '--query', 'cluster.clusterArn');
    await aws('tag-resource', '--resource-arn', clusterArn, '--tags', 'key=env,value=dev', 'key=tier,value=web');
    await aws('untag-resource', '--resource-arn', clusterArn, '--tag-keys', 'tier');
    expect(await aws('list-tags-for-resource', '--resource-arn', clusterArn, '--query', 'tags[].[key,value]')).toBe('team\tcore\nenv\tdev');
    expect(await awsError('tag-resource', '--resource-arn', clusterArn, '--tags', 'key=aws:x,value=y')).toMatch(/InvalidParameterException/);
    expect(await awsError('list-tags-for-resource', '--resource-arn', clusterArn.replace('cli-ops', 'ghost'))).toMatch(/ClusterNotFoundException/);

    expect(await aws('put-account-setting-default', '--name', 'containerInsights', '--value', 'enabled', '--query', 'setting.value')).toBe('enabled');
    expect(await aws('put-account-setting', '--name', 'awsvpcTrunking', '--value', 'enabled', '--query', 'setting.name')).toBe('awsvpcTrunking');
    expect(await aws('list-account-settings', '--effective-settings', '--name', 'containerInsights', '--query', 'settings[0].value')).toBe('enabled');
    await aws('delete-account-setting', '--name', 'awsvpcTrunking');
    expect(await aws('list-account-settings', '--name', 'awsvpcTrunking', '--query', 'length(settings)')).toBe('0');

    const asg = 'arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:1:autoScalingGroupName/cli';
    expect(await aws('create-capacity-provider', '--name', 'cli-cp', '--auto-scaling-group-provider', `autoScalingGroupArn=${asg}`, '--query', 'capacityProvider.status'))
      .toBe('ACTIVE');
    expect(await aws('update-capacity-provider', '--name', 'cli-cp', '--auto-scaling-group-provider', 'managedScaling={status=ENABLED,targetCapacity=70}',
      '--query', 'capacityProvider.autoScalingGroupProvider.managedScaling.targetCapacity')).toBe('70');
    expect(await aws('describe-capacity-providers', '--query', 'capacityProviders[].name')).toBe('FARGATE\tFARGATE_SPOT\tcli-cp');
    await aws('put-cluster-capacity-providers', '--cluster', 'cli-ops', '--capacity-providers', 'cli-cp', '--default-capacity-provider-strategy', 'capacityProvider=cli-cp,weight=1');
    expect(await awsError('delete-capacity-provider', '--capacity-provider', 'cli-cp')).toMatch(/ClientException.*associated with cluster/s);
    await aws('put-cluster-capacity-providers', '--cluster', 'cli-ops', '--capacity-providers', '[]', '--default-capacity-provider-strategy', '[]');
    expect(await aws('delete-capacity-provider', '--capacity-provider', 'cli-cp', '--query', 'capacityProvider.status')).toBe('INACTIVE');

    await aws('update-cluster-settings', '--cluster', 'cli-ops', '--settings', 'name=containerInsights,value=disabled');
    await aws('update-cluster', '--cluster', 'cli-ops', '--configuration', 'executeCommandConfiguration={logging=NONE}');
    expect(await aws('describe-clusters', '--clusters', 'cli-ops', '--include', 'SETTINGS', 'CONFIGURATIONS', 'TAGS',
      '--query', 'clusters[0].[settings[0].value,configuration.executeCommandConfiguration.logging,length(tags)]')).toBe('disabled\tNONE\t2');

    await aws('register-task-definition', '--family', 'cli-fam', '--container-definitions', JSON.stringify([{ name: 'c', image: TEST_IMAGE, memory: 16 }]));
    await aws('deregister-task-definition', '--task-definition', 'cli-fam:1');
    expect(await aws('list-task-definition-families', '--status', 'INACTIVE', '--query', 'families')).toBe('cli-fam');
    const instance = await aws('list-container-instances', '--query', 'containerInstanceArns[0]');
    expect(await awsError('update-container-agent', '--container-instance', instance)).toMatch(/NoUpdateAvailableException.*Dockhand package/s);
  });

  it('execute-command points at docker exec with the container\'s real runtime id, which works', async () => {
    const containers = JSON.stringify([{ name: 'sh', image: TEST_IMAGE, memory: 32, command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'] }]);
    await aws('register-task-definition', '--family', 'cli-exec', '--container-definitions', containers);
    const plain = await aws('run-task', '--task-definition', 'cli-exec', '--query', 'tasks[0].taskArn');
    const enabled = await aws('run-task', '--task-definition', 'cli-exec', '--enable-execute-command', '--query', 'tasks[0].taskArn');
    await aws('wait', 'tasks-running', '--tasks', plain, enabled);
    const [flag, runtimeId] = (await aws('describe-tasks', '--tasks', enabled, '--query', 'tasks[0].[enableExecuteCommand,containers[0].runtimeId]')).split('\t');
    expect(flag).toBe('True');
    // The CLI wants the session-manager-plugin before it even calls ECS; the API's answer is the
    // same either way, so it is read with the SDK.
    expect(await awsError('execute-command', '--task', enabled, '--command', 'sh', '--interactive')).toMatch(/SessionManagerPlugin is not found/);
    const call = (task: string, command: string) => h.client.send(new ExecuteCommandCommand({ cluster: 'default', task, command, interactive: true })).then(
      () => { throw new Error('ExecuteCommand should fail'); }, (e: unknown) => e as Error);
    expect((await call(plain, 'sh')).message).toMatch(/execute command was not enabled/);
    const refused = await call(enabled, 'echo hi');
    expect(refused.name).toBe('TargetNotConnectedException');
    expect(refused.message).toMatch(/no Session Manager/);
    expect(refused.message).toContain(`docker exec -it ${runtimeId} echo hi`);
    // The suggested command reaches the task's container.
    const exec = await docker.getContainer(runtimeId!).exec({ Cmd: ['echo', 'hi'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const output = await new Promise<string>((resolve) => { let out = ''; stream.on('data', (d: Buffer) => { out += d.toString(); }); stream.on('end', () => resolve(out)); });
    expect(output).toContain('hi');
    for (const task of [plain, enabled]) await aws('stop-task', '--task', task);
    await aws('wait', 'tasks-stopped', '--tasks', plain, enabled);
  });
});
