// RunTask, StartTask, StopTask, DescribeTasks, ListTasks.
import { invalidParameter } from '../errors.ts';
import { transition } from '../model/task-lifecycle.ts';
import { firstUnmet, missingAttributesDetail } from '../scheduler/placement.ts';
import { refuseCapacityProviderLaunch } from './capacity-provider-rules.ts';
import { requireService } from './service-views.ts';
import type { Handler } from './context.ts';
import { optList, optNumber, optString, optStringList, pageNextToken, readPageRequest, reqString } from './input.ts';
import { candidateFor, indexOf } from './instance-facts.ts';
import { checkPlacementSpec, launchOn, needsOf, placeAndLaunch, readLaunchRequest, requiredAttributesOf, type PlacementSpec } from './task-launch.ts';
import { activeCluster, findTask, toInstanceArn, toTaskArn } from './resolve.ts';
import { taskView } from './views.ts';

const runTask: Handler = (ctx, input) => {
  const count = optNumber(input, 'count') ?? 1;
  const r = readLaunchRequest(ctx, input);
  refuseCapacityProviderLaunch(r.cluster, input); // no Fargate, no Auto Scaling groups here
  if (!Number.isInteger(count) || count < 1 || count > 10) throw invalidParameter('Count must be between 1 and 10.');
  const spec: PlacementSpec = {
    strategy: optList(input, 'placementStrategy') ?? [],
    constraints: optList(input, 'placementConstraints') ?? [],
  };
  checkPlacementSpec(spec, r.taskDefinition); // a bad rule is refused even in an empty cluster
  // DRAINING instances take no new tasks: a cluster of only those has nowhere to place.
  if (!indexOf(ctx).instancesOf(r.cluster.name).some((ci) => ci.status === 'ACTIVE')) {
    throw invalidParameter('No Container Instances were found in your cluster.');
  }
  const { tasks, failures } = placeAndLaunch(ctx, r, count, spec);
  if (failures.length) ctx.logger.info({ failures }, 'RunTask could not place every task');
  return { tasks, failures };
};

const startTask: Handler = (ctx, input) => {
  const refs = optStringList(input, 'containerInstances') ?? [];
  const r = readLaunchRequest(ctx, input);
  if (refs.length < 1 || refs.length > 10) throw invalidParameter('containerInstances must have between 1 and 10 items.');
  const failures: Array<{ arn: string; reason: string; detail?: string }> = [];
  const targets: string[] = [];
  const needs = needsOf(r);
  for (const ref of refs) {
    const arn = toInstanceArn(ctx, r.cluster, ref);
    const ci = ctx.store.getContainerInstance(arn);
    if (!ci || ci.clusterName !== r.cluster.name || ci.status !== 'ACTIVE') {
      // MISSING and INACTIVE are ECS's documented StartTask reasons; DRAINING is ours, for an
      // instance that UpdateContainerInstancesState closed to new tasks.
      failures.push({ arn, reason: !ci || ci.clusterName !== r.cluster.name ? 'MISSING' : ci.status });
      continue;
    }
    const candidate = candidateFor(ctx, ci);
    // Copies already chosen for this same instance in this call hold resources too.
    candidate.reserved.push(...targets.filter((t) => t === arn).map(() => needs));
    const unmet = firstUnmet(candidate, needs, requiredAttributesOf(r));
    if (unmet === 'ATTRIBUTE') failures.push({ arn, reason: unmet, detail: missingAttributesDetail(candidate, requiredAttributesOf(r)) });
    else if (unmet) failures.push({ arn, reason: unmet });
    else targets.push(arn);
  }
  return { tasks: targets.length ? launchOn(ctx, r, targets) : [], failures };
};

const stopTask: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const task = findTask(ctx, cluster, reqString(input, 'task'));
  if (!task) throw invalidParameter('The referenced task was not found.');
  const reason = optString(input, 'reason') || 'Task stopped by user';
  const result = transition(task, { kind: 'stop-requested', at: ctx.now(), reason });
  if (result.changed) {
    // Desired STOPPED and the payload that tells the agent, as one unit (see launchOn).
    ctx.store.atomically(() => {
      ctx.store.putTask(result.task);
      ctx.acs.pushTasks(task.containerInstanceArn, [result.task]);
    });
    ctx.logger.info({ task: task.arn, reason }, 'task stop requested');
  }
  return { task: taskView(ctx, result.task, false) };
};

const describeTasks: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const refs = optStringList(input, 'tasks') ?? [];
  if (refs.length === 0) throw invalidParameter('Tasks cannot be empty.');
  if (refs.length > 100) throw invalidParameter('tasks can have at most 100 items.');
  const includeTags = (optList<string>(input, 'include') ?? []).includes('TAGS');
  const tasks: unknown[] = [];
  const failures: unknown[] = [];
  for (const ref of refs) {
    const task = findTask(ctx, cluster, ref);
    if (task) tasks.push(taskView(ctx, task, includeTags));
    else failures.push({ arn: toTaskArn(ctx, cluster, ref), reason: 'MISSING' });
  }
  return { tasks, failures };
};

const listTasks: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const instanceRef = optString(input, 'containerInstance');
  const instanceArn = instanceRef ? toInstanceArn(ctx, cluster, instanceRef) : undefined;
  const family = optString(input, 'family');
  const startedBy = optString(input, 'startedBy');
  const launchType = optString(input, 'launchType');
  if (launchType && !['EC2', 'FARGATE', 'EXTERNAL'].includes(launchType)) throw invalidParameter(`Invalid launchType '${launchType}': use EC2, FARGATE or EXTERNAL.`);
  const serviceRef = optString(input, 'serviceName');
  const service = serviceRef ? requireService(ctx, cluster, serviceRef) : undefined; // ServiceNotFoundException
  const desired = optString(input, 'desiredStatus') ?? 'RUNNING';
  if (!['RUNNING', 'PENDING', 'STOPPED'].includes(desired)) throw invalidParameter(`Invalid desiredStatus '${desired}'.`);
  const page = ctx.store.pageTaskArns({
    clusterName: cluster.name,
    desiredStatus: desired as 'RUNNING' | 'PENDING' | 'STOPPED',
    // Empty strings filter nothing, as before.
    ...(instanceArn ? { containerInstanceArn: instanceArn } : {}),
    ...(family ? { family } : {}),
    ...(startedBy ? { startedBy } : {}),
    ...(launchType ? { launchType } : {}),
    // A service's tasks are in its group (ECS: "service:<name>").
    ...(service ? { group: `service:${service.name}` } : {}),
  }, readPageRequest(input));
  return { taskArns: page.arns, ...pageNextToken(page) };
};

export const taskHandlers: Record<string, Handler> = {
  RunTask: runTask,
  StartTask: startTask,
  StopTask: stopTask,
  DescribeTasks: describeTasks,
  ListTasks: listTasks,
};
