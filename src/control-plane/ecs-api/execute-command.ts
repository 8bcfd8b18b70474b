// ExecuteCommand. Real ECS answers with a Session Manager session that the AWS CLI's
// session-manager-plugin connects to. Dockhand has no Session Manager, so after the checks ECS
// makes (the task exists, runs, and was started with enableExecuteCommand) the answer is a
// TargetNotConnectedException that says how to get the same shell directly from Docker.
import { EcsError, invalidParameter } from '../errors.ts';
import type { TaskRecord } from '../model/records.ts';
import type { ApiContext, Handler } from './context.ts';
import { optBoolean, optString, reqString } from './input.ts';
import { activeCluster, findTask } from './resolve.ts';

/** What to run instead, on the instance's host: `docker exec` with the container's runtime id. */
function dockerExecHint(ctx: ApiContext, task: TaskRecord, container: TaskRecord['containers'][number], command: string, interactive: boolean): string {
  const instance = ctx.store.getContainerInstance(task.containerInstanceArn);
  const where = instance ? `on the host of container instance ${instance.ec2InstanceId} (${task.containerInstanceArn})` : `on the host of ${task.containerInstanceArn}`;
  const target = container.runtimeId ?? `<the runtime id of container '${container.name}', once the agent reports it>`;
  return `docker exec ${interactive ? '-it ' : ''}${target} ${command}  (${where})`;
}

const executeCommand: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const command = reqString(input, 'command');
  const interactive = optBoolean(input, 'interactive');
  if (interactive === undefined) throw invalidParameter('interactive can not be blank.');
  if (!interactive) throw invalidParameter('Interactive is the only mode supported currently.');
  const task = findTask(ctx, cluster, reqString(input, 'task'));
  if (!task) throw invalidParameter('The specified task was not found.');
  const name = optString(input, 'container');
  if (name === undefined && task.containers.length > 1) {
    throw invalidParameter(`The task has ${task.containers.length} containers (${task.containers.map((c) => c.name).join(', ')}); specify which one with container.`);
  }
  const container = name === undefined ? task.containers[0] : task.containers.find((c) => c.name === name);
  if (!container) throw invalidParameter(`The task has no container named '${name ?? ''}'.`);
  if (!task.enableExecuteCommand) {
    throw invalidParameter('The execute command failed because execute command was not enabled when the task was run or the execute command agent isn\'t running. Wait and try again or run a new task with execute command enabled and try again.');
  }
  if (task.lastStatus !== 'RUNNING' || container.lastStatus !== 'RUNNING') {
    throw invalidParameter(`The execute command failed because container '${container.name}' is ${container.lastStatus} (task ${task.lastStatus}); it must be RUNNING.`);
  }
  ctx.logger.info({ task: task.arn, container: container.name }, 'ExecuteCommand refused: no Session Manager in Dockhand');
  throw new EcsError('TargetNotConnectedException',
    'Dockhand has no Session Manager, so ExecuteCommand cannot open a session (the session-manager-plugin would have nothing to connect to). '
    + `Get the same shell from Docker instead: ${dockerExecHint(ctx, task, container, command, interactive)}.`);
};

export const executeCommandHandlers: Record<string, Handler> = {
  ExecuteCommand: executeCommand,
};
