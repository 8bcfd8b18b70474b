// CreateTaskSet, DescribeTaskSets, UpdateTaskSet, DeleteTaskSet, UpdateServicePrimaryTaskSet: the
// EXTERNAL deployment controller's API. A task set is stored as a document; the service scheduler
// keeps its tasks (services/external-controller.ts), started with the set's id as startedBy.
import { EcsError, invalidParameter } from '../errors.ts';
import { newDeploymentId, TASK_SET_KIND, taskSetArn, type ServiceRecord, type TaskSetRecord } from '../services/records.ts';
import { nudgeServices } from '../services/scheduler.ts';
import { refuseCapacityProviderLaunch } from './capacity-provider-rules.ts';
import type { ApiContext, Handler, Input } from './context.ts';
import { optBoolean, optList, optObject, optString, optStringList, reqString } from './input.ts';
import { activeCluster } from './resolve.ts';
import { readNetworkConfiguration, readPlatformVersion, readServiceLaunchType, refuseLoadBalancing, serviceTaskDefinition } from './service-input.ts';
import { countTasks, putService, requireActiveService, taskSetsOf, taskSetView } from './service-views.ts';
import { readTags } from './tag-rules.ts';

/** The cluster and EXTERNAL-controller service a task set call names (both required). */
function externalService(ctx: ApiContext, input: Input): ServiceRecord {
  const cluster = activeCluster(ctx, reqString(input, 'cluster'));
  const svc = requireActiveService(ctx, cluster, reqString(input, 'service'));
  if (svc.deploymentController !== 'EXTERNAL') {
    throw invalidParameter(`Service ${svc.name} uses the ${svc.deploymentController} deployment controller: task sets are managed only on services with the EXTERNAL deployment controller.`);
  }
  return svc;
}

function findTaskSet(ctx: ApiContext, svc: ServiceRecord, ref: string): TaskSetRecord | undefined {
  const arn = ref.startsWith('arn:') ? ref : taskSetArn(ctx.scope, svc.clusterName, svc.name, ref);
  const set = ctx.store.getDocument<TaskSetRecord>(TASK_SET_KIND, arn);
  return set?.serviceArn === svc.arn ? set : undefined;
}

function requireTaskSet(ctx: ApiContext, svc: ServiceRecord, ref: string): TaskSetRecord {
  const set = findTaskSet(ctx, svc, ref);
  if (!set) throw new EcsError('TaskSetNotFoundException', `The specified task set does not exist: ${ref} in service ${svc.name}.`);
  return set;
}

function readScale(input: Input, required: boolean): TaskSetRecord['scale'] | undefined {
  const scale = optObject<{ value?: unknown; unit?: unknown }>(input, 'scale');
  if (!scale) {
    if (required) throw invalidParameter('scale is required: {value: 0..100, unit: PERCENT}.');
    return undefined;
  }
  const value = scale.value ?? 100;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
    throw invalidParameter(`scale.value must be a number from 0 to 100 (a percent of the service's desiredCount), not ${String(value)}.`);
  }
  if (scale.unit !== undefined && scale.unit !== 'PERCENT') throw invalidParameter(`scale.unit must be PERCENT, not '${String(scale.unit)}'.`);
  return { value, unit: 'PERCENT' };
}

function view(ctx: ApiContext, set: TaskSetRecord, svc: ServiceRecord, includeTags = true): Record<string, unknown> {
  return taskSetView(ctx, set, svc, countTasks(ctx, svc), includeTags);
}

const putTaskSet = (ctx: ApiContext, set: TaskSetRecord): void => ctx.store.putDocument(TASK_SET_KIND, set.arn, set.clusterName, set);

const createTaskSet: Handler = (ctx, input) => {
  const svc = externalService(ctx, input);
  const clientToken = optString(input, 'clientToken');
  if (clientToken !== undefined) {
    if (clientToken.length > 36) throw invalidParameter('clientToken can have up to 36 ASCII characters.');
    const same = taskSetsOf(ctx, svc).find((s) => s.clientToken === clientToken);
    if (same) return { taskSet: view(ctx, same, svc) };
  }
  refuseLoadBalancing(input);
  const launchType = readServiceLaunchType(input) ?? svc.launchType;
  const cluster = activeCluster(ctx, svc.clusterName);
  refuseCapacityProviderLaunch(cluster, launchType ? { ...input, launchType } : input);
  readPlatformVersion(input);
  const td = serviceTaskDefinition(ctx, reqString(input, 'taskDefinition'), launchType);
  const networkConfiguration = readNetworkConfiguration(input, td);
  const externalId = optString(input, 'externalId');
  const now = ctx.now();
  const id = newDeploymentId();
  const set: TaskSetRecord = {
    id,
    arn: taskSetArn(ctx.scope, svc.clusterName, svc.name, id),
    serviceArn: svc.arn,
    clusterName: svc.clusterName,
    ...(externalId !== undefined ? { externalId } : {}),
    // A task set serves production traffic only once UpdateServicePrimaryTaskSet says so.
    status: 'ACTIVE',
    taskDefinitionArn: td.arn,
    ...(launchType ? { launchType } : {}),
    ...(networkConfiguration ? { networkConfiguration } : {}),
    loadBalancers: [],
    serviceRegistries: [],
    scale: readScale(input, false) ?? { value: 100, unit: 'PERCENT' },
    stabilityStatus: 'STABILIZING',
    stabilityStatusAt: now,
    createdAt: now,
    updatedAt: now,
    ...(clientToken !== undefined ? { clientToken } : {}),
    tags: readTags(input),
    taskArns: [],
  };
  putTaskSet(ctx, set);
  ctx.logger.info({ service: svc.arn, taskSet: set.id, taskDefinition: td.arn }, 'task set created');
  nudgeServices(ctx);
  return { taskSet: view(ctx, set, svc) };
};

const describeTaskSets: Handler = (ctx, input) => {
  const svc = externalService(ctx, input);
  const refs = optStringList(input, 'taskSets');
  const includeTags = (optList<string>(input, 'include') ?? []).includes('TAGS');
  if (refs === undefined) return { taskSets: taskSetsOf(ctx, svc).map((s) => view(ctx, s, svc, includeTags)), failures: [] };
  const taskSets: unknown[] = [];
  const failures: unknown[] = [];
  for (const ref of refs) {
    const set = findTaskSet(ctx, svc, ref);
    if (set) taskSets.push(view(ctx, set, svc, includeTags));
    else failures.push({ arn: ref.startsWith('arn:') ? ref : taskSetArn(ctx.scope, svc.clusterName, svc.name, ref), reason: 'MISSING' });
  }
  return { taskSets, failures };
};

const updateTaskSet: Handler = (ctx, input) => {
  const svc = externalService(ctx, input);
  const set = requireTaskSet(ctx, svc, reqString(input, 'taskSet'));
  if (set.status === 'DRAINING') throw invalidParameter(`Task set ${set.id} is being deleted (DRAINING) and cannot be updated.`);
  const updated: TaskSetRecord = { ...set, scale: readScale(input, true)!, updatedAt: ctx.now(), stabilityStatus: 'STABILIZING', stabilityStatusAt: ctx.now() };
  putTaskSet(ctx, updated);
  nudgeServices(ctx);
  return { taskSet: view(ctx, updated, svc) };
};

const deleteTaskSet: Handler = (ctx, input) => {
  const svc = externalService(ctx, input);
  const set = requireTaskSet(ctx, svc, reqString(input, 'taskSet'));
  const force = optBoolean(input, 'force') ?? false;
  if (!force && set.scale.value > 0 && svc.desiredCount > 0) {
    throw invalidParameter(`The task set ${set.id} cannot be deleted while it is scaled above 0 (scale ${set.scale.value}%): update its scale to 0 first, or delete with force.`);
  }
  const deleted: TaskSetRecord = { ...set, status: 'DRAINING', updatedAt: ctx.now() };
  putTaskSet(ctx, deleted);
  if (set.status === 'PRIMARY') {
    // The service loses the fields its primary task set gave it.
    const { taskDefinitionArn: _dropped, ...rest } = svc;
    putService(ctx, rest);
  }
  ctx.logger.info({ service: svc.arn, taskSet: set.id, force }, 'task set deleted (draining)');
  nudgeServices(ctx);
  return { taskSet: view(ctx, deleted, svc) };
};

const updateServicePrimaryTaskSet: Handler = (ctx, input) => {
  const svc = externalService(ctx, input);
  const target = requireTaskSet(ctx, svc, reqString(input, 'primaryTaskSet'));
  if (target.status === 'DRAINING') throw invalidParameter(`Task set ${target.id} is being deleted (DRAINING) and cannot become the primary task set.`);
  const now = ctx.now();
  for (const set of taskSetsOf(ctx, svc)) {
    if (set.arn !== target.arn && set.status === 'PRIMARY') putTaskSet(ctx, { ...set, status: 'ACTIVE', updatedAt: now });
  }
  const primary: TaskSetRecord = { ...target, status: 'PRIMARY', updatedAt: now };
  putTaskSet(ctx, primary);
  putService(ctx, { ...svc, taskDefinitionArn: primary.taskDefinitionArn });
  ctx.logger.info({ service: svc.arn, taskSet: primary.id }, 'primary task set changed');
  nudgeServices(ctx);
  return { taskSet: view(ctx, primary, svc) };
};

export const taskSetHandlers: Record<string, Handler> = {
  CreateTaskSet: createTaskSet,
  DescribeTaskSets: describeTaskSets,
  UpdateTaskSet: updateTaskSet,
  DeleteTaskSet: deleteTaskSet,
  UpdateServicePrimaryTaskSet: updateServicePrimaryTaskSet,
};
