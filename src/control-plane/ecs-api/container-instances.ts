// ListContainerInstances, DescribeContainerInstances, DeregisterContainerInstance.
import { invalidParameter } from '../errors.ts';
import { activeCluster, toInstanceArn } from './resolve.ts';
import type { Handler } from './context.ts';
import { optBoolean, optString, optStringList, pageNextToken, readPageRequest, reqString } from './input.ts';
import { containerInstanceView } from './views.ts';

const STATUSES = ['ACTIVE', 'DRAINING', 'REGISTERING', 'DEREGISTERING', 'REGISTRATION_FAILED', 'INACTIVE'];

const listContainerInstances: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const status = optString(input, 'status');
  if (status !== undefined && !STATUSES.includes(status)) throw invalidParameter(`Invalid status '${status}'.`);
  // Without a status filter ECS lists every instance that is not deregistered.
  const page = ctx.store.pageContainerInstanceArns({ clusterName: cluster.name, ...(status ? { status } : {}) }, readPageRequest(input));
  return { containerInstanceArns: page.arns, ...pageNextToken(page) };
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
  const hasTasks = ctx.store.listLiveTasksOn(arn).length > 0;
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
