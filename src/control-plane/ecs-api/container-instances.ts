// ListContainerInstances (status, cluster-query `filter`), DescribeContainerInstances (include
// TAGS / CONTAINER_INSTANCE_HEALTH), UpdateContainerInstancesState (ACTIVE ⇄ DRAINING) and
// DeregisterContainerInstance (force). Task counts and remaining resources come from the
// placement index, never from reading the tasks.
import { invalidParameter } from '../errors.ts';
import type { ContainerInstanceRecord } from '../model/records.ts';
import { parseExpression } from '../scheduler/placement-spec.ts';
import { evaluateQuery } from '../scheduler/query-eval.ts';
import { pageOf } from '../store/store-queries.ts';
import { nudgeServices } from '../services/scheduler.ts';
import { activeCluster, toInstanceArn } from './resolve.ts';
import type { ApiContext, Handler } from './context.ts';
import { instanceHealthStatus } from './instance-health.ts';
import { indexOf, queryFactsOf } from './instance-facts.ts';
import { optBoolean, optList, optString, optStringList, pageNextToken, readPageRequest, reqString } from './input.ts';
import { containerInstanceView } from './views.ts';

const STATUSES = ['ACTIVE', 'DRAINING', 'REGISTERING', 'DEREGISTERING', 'REGISTRATION_FAILED', 'INACTIVE'];
const INCLUDE = ['TAGS', 'CONTAINER_INSTANCE_HEALTH'];
/** UpdateContainerInstancesState's own limit on containerInstances. */
const MAX_STATE_UPDATES = 10;

const listContainerInstances: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const status = optString(input, 'status');
  if (status !== undefined && !STATUSES.includes(status)) throw invalidParameter(`Invalid status '${status}'.`);
  const filter = optString(input, 'filter');
  const page = readPageRequest(input);
  // Without a status filter ECS lists every instance that is not deregistered.
  const statusMatches = (ci: ContainerInstanceRecord) => (status !== undefined ? ci.status === status : ci.status !== 'INACTIVE');
  if (filter === undefined || filter.trim() === '') {
    const arns = ctx.store.pageContainerInstanceArns({ clusterName: cluster.name, ...(status ? { status } : {}) }, page);
    return { containerInstanceArns: arns.arns, ...pageNextToken(arns) };
  }
  const query = parseExpression(filter, 'filter');
  // The same keyset paging as the store's (the cursor is the last ARN), over the index's instances.
  const arns = pageOf([...indexOf(ctx).instancesOf(cluster.name)], (ci) => statusMatches(ci) && evaluateQuery(query, queryFactsOf(ctx, ci)), page);
  return { containerInstanceArns: arns.arns, ...pageNextToken(arns) };
};

function readInclude(input: Record<string, unknown>): Set<string> {
  const include = optList<unknown>(input, 'include') ?? [];
  for (const x of include) {
    if (typeof x !== 'string' || !INCLUDE.includes(x)) throw invalidParameter(`include can only contain ${INCLUDE.join(' and ')}; got '${String(x)}'.`);
  }
  return new Set(include as string[]);
}

/** The DescribeContainerInstances shape: tags only when asked for, as ECS. */
function describedView(ctx: ApiContext, ci: ContainerInstanceRecord, include: Set<string>): Record<string, unknown> {
  const view = containerInstanceView(ctx, ci);
  if (!include.has('TAGS')) delete view.tags;
  if (include.has('CONTAINER_INSTANCE_HEALTH')) view.healthStatus = instanceHealthStatus(ctx, ci);
  return view;
}

const describeContainerInstances: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const refs = optStringList(input, 'containerInstances') ?? [];
  if (refs.length === 0) throw invalidParameter('containerInstances can not be empty.');
  if (refs.length > 100) throw invalidParameter('containerInstances can have at most 100 items.');
  const include = readInclude(input);
  const containerInstances: unknown[] = [];
  const failures: unknown[] = [];
  for (const ref of refs) {
    const arn = toInstanceArn(ctx, cluster, ref);
    const ci = ctx.store.getContainerInstance(arn);
    if (ci && ci.clusterName === cluster.name) containerInstances.push(describedView(ctx, ci, include));
    else failures.push({ arn, reason: 'MISSING' });
  }
  return { containerInstances, failures };
};

const updateContainerInstancesState: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const refs = optStringList(input, 'containerInstances') ?? [];
  const requested = reqString(input, 'status');
  if (requested !== 'ACTIVE' && requested !== 'DRAINING') {
    throw invalidParameter(`Container instance status can only be updated to ACTIVE or DRAINING, not '${requested}'.`);
  }
  const status: 'ACTIVE' | 'DRAINING' = requested;
  if (refs.length === 0) throw invalidParameter('containerInstances can not be empty.');
  if (refs.length > MAX_STATE_UPDATES) throw invalidParameter(`containerInstances can have at most ${MAX_STATE_UPDATES} items.`);
  const containerInstances: unknown[] = [];
  const failures: Array<{ arn: string; reason: string; detail?: string }> = [];
  for (const ref of refs) {
    const arn = toInstanceArn(ctx, cluster, ref);
    const ci = ctx.store.getContainerInstance(arn);
    if (!ci || ci.clusterName !== cluster.name) {
      failures.push({ arn, reason: 'MISSING' });
      continue;
    }
    if (ci.status === 'INACTIVE') {
      failures.push({ arn, reason: 'INACTIVE', detail: 'The container instance is deregistered; its state cannot be changed.' });
      continue;
    }
    // Standalone tasks on a DRAINING instance keep running (ECS leaves them be); the service
    // scheduler replaces service tasks, reading this status.
    const updated: ContainerInstanceRecord = ci.status === status ? ci : { ...ci, status, version: ci.version + 1 };
    if (updated !== ci) {
      ctx.store.putContainerInstance(updated);
      ctx.logger.info({ containerInstance: arn, from: ci.status, to: status }, 'container instance state changed');
    }
    containerInstances.push(containerInstanceView(ctx, updated));
  }
  // Draining moves service tasks elsewhere now rather than at the scheduler's next period.
  nudgeServices(ctx);
  return { containerInstances, failures };
};

const deregisterContainerInstance: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const arn = toInstanceArn(ctx, cluster, reqString(input, 'containerInstance'));
  const ci = ctx.store.getContainerInstance(arn);
  if (!ci || ci.clusterName !== cluster.name) throw invalidParameter('The referenced container instance was not found.');
  const usage = indexOf(ctx).usageOf(arn);
  if (usage.runningTasksCount + usage.pendingTasksCount > 0 && !optBoolean(input, 'force')) {
    throw invalidParameter('Found running tasks on the instance. Use force to deregister it anyway.');
  }
  // Forced: the tasks stay as they are, orphaned (ECS no longer places anything there; the
  // service scheduler starts replacements for service tasks elsewhere).
  const updated = { ...ci, status: 'INACTIVE' as const, version: ci.version + 1 };
  ctx.store.putContainerInstance(updated);
  ctx.acs.instanceDeregistered(arn);
  ctx.logger.info({ containerInstance: arn, orphanedTasks: usage.runningTasksCount + usage.pendingTasksCount }, 'container instance deregistered');
  return { containerInstance: containerInstanceView(ctx, updated) };
};

export const containerInstanceHandlers: Record<string, Handler> = {
  ListContainerInstances: listContainerInstances,
  DescribeContainerInstances: describeContainerInstances,
  UpdateContainerInstancesState: updateContainerInstancesState,
  DeregisterContainerInstance: deregisterContainerInstance,
};
