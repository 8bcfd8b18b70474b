// ExecuteCommand, UpdateContainerAgent and SubmitAttachmentStateChanges through the real SDK, with
// a fake agent reporting over the real wire. Dockhand has no Session Manager and updates agents by
// package, so both calls end in ECS's own exceptions that say what to do instead.
import {
  ClusterNotFoundException,
  CreateClusterCommand,
  DescribeTasksCommand,
  ExecuteCommandCommand,
  InvalidParameterException,
  MissingVersionException,
  NoUpdateAvailableException,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  SubmitAttachmentStateChangesCommand,
  TargetNotConnectedException,
  UpdateContainerAgentCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import type { FakeAgent } from './fake-agent.ts';
import { connectedAgent, failure, useControlPlane } from './control-plane-fixture.ts';

let agent: FakeAgent;
const env = useControlPlane({}, async ({ cp, ecs }) => {
  await ecs.send(new CreateClusterCommand({ clusterName: 'exec' }));
  agent = await connectedAgent({ url: cp.url, cluster: 'exec' });
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'one', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 16 }] }));
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'two', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 16 }, { name: 'side', image: 'busybox', memory: 16 }],
  }));
  return () => agent.close();
});

const exec = (task: string, extra: Record<string, unknown> = {}) =>
  env.ecs.send(new ExecuteCommandCommand({ cluster: 'exec', task, command: '/bin/sh', interactive: true, ...extra }));

describe('ExecuteCommand', () => {
  it('stores enableExecuteCommand and shows it in RunTask and DescribeTasks', async () => {
    const on = await env.ecs.send(new RunTaskCommand({ cluster: 'exec', taskDefinition: 'one', enableExecuteCommand: true }));
    const off = await env.ecs.send(new RunTaskCommand({ cluster: 'exec', taskDefinition: 'one' }));
    expect(on.tasks![0]!.enableExecuteCommand).toBe(true);
    expect(off.tasks![0]!.enableExecuteCommand).toBe(false);
    const d = await env.ecs.send(new DescribeTasksCommand({ cluster: 'exec', tasks: [on.tasks![0]!.taskArn!, off.tasks![0]!.taskArn!] }));
    expect(d.tasks!.map((t) => t.enableExecuteCommand)).toEqual([true, false]);
  });

  it('refuses a task run without enableExecuteCommand with ECS\'s message', async () => {
    const run = await env.ecs.send(new RunTaskCommand({ cluster: 'exec', taskDefinition: 'one' }));
    const taskArn = run.tasks![0]!.taskArn!;
    await agent.report(taskArn, 'RUNNING', [{ containerName: 'app', status: 'RUNNING', runtimeId: 'abc123' }]);
    const err = await failure(exec(taskArn));
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(err.message).toMatch(/^The execute command failed because execute command was not enabled when the task was run/);
  });

  it('for an enabled, running task: TargetNotConnectedException naming the docker exec to run instead', async () => {
    const run = await env.ecs.send(new RunTaskCommand({ cluster: 'exec', taskDefinition: 'one', enableExecuteCommand: true }));
    const taskArn = run.tasks![0]!.taskArn!;
    // Not running yet: refused as such.
    expect((await failure(exec(taskArn))).message).toMatch(/is PENDING .* must be RUNNING/);
    await agent.report(taskArn, 'RUNNING', [{ containerName: 'app', status: 'RUNNING', runtimeId: 'f00dfeed' }]);
    const err = await failure(exec(taskArn.split('/').pop()!, { command: 'ls -l /' }));
    expect(err).toBeInstanceOf(TargetNotConnectedException);
    expect(err.message).toMatch(/Dockhand has no Session Manager/);
    expect(err.message).toContain('docker exec -it f00dfeed ls -l /');
    expect(err.message).toContain(agent.containerInstanceArn);
  });

  it('needs the container named when the task has several', async () => {
    const run = await env.ecs.send(new RunTaskCommand({ cluster: 'exec', taskDefinition: 'two', enableExecuteCommand: true }));
    const taskArn = run.tasks![0]!.taskArn!;
    await agent.report(taskArn, 'RUNNING', [
      { containerName: 'app', status: 'RUNNING', runtimeId: 'aaa' }, { containerName: 'side', status: 'RUNNING', runtimeId: 'bbb' },
    ]);
    expect((await failure(exec(taskArn))).message).toMatch(/2 containers \(app, side\); specify which one/);
    expect((await failure(exec(taskArn, { container: 'nope' }))).message).toBe("The task has no container named 'nope'.");
    expect((await failure(exec(taskArn, { container: 'side' }))).message).toContain('docker exec -it bbb /bin/sh');
  });

  it('validates the request', async () => {
    expect((await failure(exec('0123456789abcdef0123456789abcdef'))).message).toBe('The specified task was not found.');
    expect((await failure(exec('x', { interactive: false }))).message).toBe('Interactive is the only mode supported currently.');
    expect(await failure(env.ecs.send(new ExecuteCommandCommand({ cluster: 'exec', task: 'x', command: '', interactive: true })))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new ExecuteCommandCommand({ cluster: 'exec', task: 'x', command: 'sh' } as never)))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new ExecuteCommandCommand({ cluster: 'ghost', task: 'x', command: 'sh', interactive: true })))).toBeInstanceOf(ClusterNotFoundException);
  });
});

describe('UpdateContainerAgent', () => {
  it('answers NoUpdateAvailableException: Dockhand agents update by package', async () => {
    const err = await failure(env.ecs.send(new UpdateContainerAgentCommand({ cluster: 'exec', containerInstance: agent.containerInstanceArn.split('/').pop()! })));
    expect(err).toBeInstanceOf(NoUpdateAvailableException);
    expect(err.message).toMatch(/version 1\.83\.0.*installing a newer Dockhand package/);
  });

  it('MissingVersionException when the agent never said its version; errors for unknown targets', async () => {
    const bare = await env.ecs.send(new RegisterContainerInstanceCommand({ cluster: 'exec', totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 1024 }] }));
    const err = await failure(env.ecs.send(new UpdateContainerAgentCommand({ cluster: 'exec', containerInstance: bare.containerInstance!.containerInstanceArn! })));
    expect(err).toBeInstanceOf(MissingVersionException);
    expect(await failure(env.ecs.send(new UpdateContainerAgentCommand({ cluster: 'exec', containerInstance: 'nope' })))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new UpdateContainerAgentCommand({ cluster: 'ghost', containerInstance: 'nope' })))).toBeInstanceOf(ClusterNotFoundException);
    expect(await failure(env.ecs.send(new UpdateContainerAgentCommand({ cluster: 'exec' } as never)))).toBeInstanceOf(InvalidParameterException);
  });
});

describe('SubmitAttachmentStateChanges', () => {
  it('acknowledges well-formed reports and refuses malformed ones', async () => {
    const attachmentArn = 'arn:aws:ecs:us-east-1:000000000000:attachment/0f0e0d0c-0000-4000-8000-000000000001';
    const ok = await env.ecs.send(new SubmitAttachmentStateChangesCommand({ cluster: 'exec', attachments: [{ attachmentArn, status: 'ATTACHED' }] }));
    expect(ok.acknowledgment).toBe('ACK');
    expect(await failure(env.ecs.send(new SubmitAttachmentStateChangesCommand({ cluster: 'exec', attachments: [] })))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new SubmitAttachmentStateChangesCommand({ cluster: 'exec', attachments: [{ attachmentArn, status: 'GLUED' }] }))))
      .toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new SubmitAttachmentStateChangesCommand({ cluster: 'exec', attachments: [{ status: 'ATTACHED' } as never] }))))
      .toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new SubmitAttachmentStateChangesCommand({ cluster: 'ghost', attachments: [{ attachmentArn, status: 'ATTACHED' }] }))))
      .toBeInstanceOf(ClusterNotFoundException);
  });
});
