// ListContainerInstances, DescribeContainerInstances, DeregisterContainerInstance.
import { invalidParameter } from '../errors.ts';
import { liveTasks, activeCluster, toInstanceArn } from './resolve.ts';
import type { Handler } from './context.ts';
import { optBoolean, optString, optStringList, paginate, reqString } from './input.ts';
import { containerInstanceView } from './views.ts';

const STATUSES = ['ACTIVE', 'DRAINING', 'REGISTERING', 'DEREGISTERING', 'REGISTRATION_FAILED', 'INACTIVE'];

const listContainerInstances: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const status = optString(input, 'status');
  if (status !== undefined && !STATUSES.includes(status)) throw invalidParameter(`Invalid status '${status}'.`);
  // Without a status filter ECS lists every instance that is not deregistered.
  const arns = ctx.store.listContainerInstances(cluster.name)
    .filter((ci) => (status ? ci.status === status : ci.status !== 'INACTIVE'))
    .map((ci) => ci.arn);
  const { page, nextToken } = paginate(arns, input);
  return { containerInstanceArns: page, ...(nextToken ? { nextToken } : {}) };
};

const describeContainerInstances: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const refs = optStringList(input, 'containerInstances') ?? [];
  if (refs.length === 0) throw invalidParameter('containerInstances can not be empty.');
  if (refs.length > 100) throw invalidParameter('containerInstances can have at most 100 items.');
  const containerInstances: unknown[] = [];
  const failures: unknown[] = [];
  for (const ref of refs) {
    const arn = toInstanceArn(ctx, cluster, ref);
    const ci = ctx.store.getContainerInstance(arn);
    if (ci && ci.clusterName === cluster.name) containerInstances.push(containerInstanceView(ctx, ci));
    else failures.push({ arn, reason: 'MISSING' });
  }
  return { containerInstances, failures };
};

const deregisterContainerInstance: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const arn = toInstanceArn(ctx, cluster, reqString(input, 'containerInstance'));
  const ci = ctx.store.getContainerInstance(arn);
  if (!ci || ci.clusterName !== cluster.name) throw invalidParameter('The referenced container instance was not found.');
  const hasTasks = liveTasks(ctx, cluster.name).some((t) => t.containerInstanceArn === arn);
  if (hasTasks && !optBoolean(input, 'force')) {
    throw invalidParameter('Found running tasks on the instance. Use force to deregister it anyway.');
  }
  const updated = { ...ci, status: 'INACTIVE' as const, version: ci.version + 1 };
  ctx.store.putContainerInstance(updated);
  ctx.acs.instanceDeregistered(arn);
  ctx.logger.info({ containerInstance: arn }, 'container instance deregistered');
  return { containerInstance: containerInstanceView(ctx, updated) };
};

export const containerInstanceHandlers: Record<string, Handler> = {
  ListContainerInstances: listContainerInstances,
  DescribeContainerInstances: describeContainerInstances,
  DeregisterContainerInstance: deregisterContainerInstance,
};
