// Service and task set records → the shapes DescribeServices / CreateService / DescribeTaskSets
// answer. Counts come from the live tasks at the time of the call, never from a stored number.
import { clusterArn, parseArn } from '../../protocol/arn.ts';
import { toEpochSeconds } from '../../protocol/ecs-wire.ts';
import { EcsError } from '../errors.ts';
import type { ClusterRecord, TaskRecord } from '../model/records.ts';
import { computedDesiredCount } from '../services/external-controller.ts';
import {
  SERVICE_KIND, TASK_SET_KIND, serviceArn, serviceGroup, type DeploymentRecord, type ServiceRecord, type TaskSetRecord,
} from '../services/records.ts';
import type { ApiContext } from './context.ts';

const secs = (ms: number): number => toEpochSeconds(ms);

/** Running (any desired status: a task being stopped still runs) and pending counts per startedBy. */
export interface TaskCounts {
  running(startedBy: string): number;
  pending(startedBy: string): number;
}

export function countTasks(ctx: ApiContext, svc: ServiceRecord): TaskCounts {
  const group = serviceGroup(svc.name);
  const mine: TaskRecord[] = svc.status === 'INACTIVE' ? [] : ctx.store.listLiveTasks(svc.clusterName).filter((t) => t.group === group);
  return {
    running: (id) => mine.filter((t) => t.startedBy === id && t.lastStatus === 'RUNNING').length,
    pending: (id) => mine.filter((t) => t.startedBy === id && t.lastStatus === 'PENDING' && t.desiredStatus === 'RUNNING').length,
  };
}

function deploymentView(d: DeploymentRecord, svc: ServiceRecord, counts: TaskCounts): Record<string, unknown> {
  const pending = counts.pending(d.id);
  return {
    id: d.id,
    status: d.status,
    taskDefinition: d.taskDefinitionArn,
    // An old deployment's desired count is what it still keeps, going down as it drains.
    desiredCount: d.status === 'PRIMARY' ? svc.desiredCount : d.status === 'ACTIVE' ? counts.running(d.id) + pending : 0,
    pendingCount: pending,
    runningCount: counts.running(d.id),
    failedTasks: d.failedTasks,
    createdAt: secs(d.createdAt),
    updatedAt: secs(d.updatedAt),
    ...(d.capacityProviderStrategy ? { capacityProviderStrategy: d.capacityProviderStrategy } : { launchType: d.launchType ?? 'EC2' }),
    ...(d.platformVersion ? { platformVersion: d.platformVersion } : {}),
    ...(d.networkConfiguration ? { networkConfiguration: d.networkConfiguration } : {}),
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
  };
}

export function taskSetView(ctx: ApiContext, set: TaskSetRecord, svc: ServiceRecord, counts: TaskCounts, includeTags: boolean): Record<string, unknown> {
  return {
    id: set.id,
    taskSetArn: set.arn,
    serviceArn: set.serviceArn,
    clusterArn: clusterArn(ctx.scope, set.clusterName),
    ...(set.externalId !== undefined ? { externalId: set.externalId } : {}),
    status: set.status,
    taskDefinition: set.taskDefinitionArn,
    computedDesiredCount: computedDesiredCount(svc, set),
    pendingCount: counts.pending(set.id),
    runningCount: counts.running(set.id),
    createdAt: secs(set.createdAt),
    updatedAt: secs(set.updatedAt),
    ...(set.capacityProviderStrategy ? { capacityProviderStrategy: set.capacityProviderStrategy } : { launchType: set.launchType ?? 'EC2' }),
    ...(set.networkConfiguration ? { networkConfiguration: set.networkConfiguration } : {}),
    loadBalancers: set.loadBalancers,
    serviceRegistries: set.serviceRegistries,
    scale: set.scale,
    stabilityStatus: set.stabilityStatus,
    stabilityStatusAt: secs(set.stabilityStatusAt),
    ...(includeTags ? { tags: set.tags } : {}),
  };
}

export const taskSetsOf = (ctx: ApiContext, svc: ServiceRecord): TaskSetRecord[] =>
  ctx.store.listDocuments<TaskSetRecord>(TASK_SET_KIND, svc.clusterName).filter((s) => s.serviceArn === svc.arn);

export function serviceView(ctx: ApiContext, svc: ServiceRecord, includeTags: boolean): Record<string, unknown> {
  const counts = countTasks(ctx, svc);
  const external = svc.deploymentController === 'EXTERNAL';
  const sets = external ? taskSetsOf(ctx, svc) : [];
  const ids = external ? sets.map((s) => s.id) : svc.deployments.map((d) => d.id);
  const primarySet = sets.find((s) => s.status === 'PRIMARY');
  // For EXTERNAL services the primary task set's fields are the service's (absent without one).
  const launch = external ? primarySet : svc;
  return {
    serviceArn: svc.arn,
    serviceName: svc.name,
    clusterArn: clusterArn(ctx.scope, svc.clusterName),
    loadBalancers: svc.loadBalancers,
    serviceRegistries: svc.serviceRegistries,
    status: svc.status,
    desiredCount: svc.desiredCount,
    runningCount: ids.reduce((n, id) => n + counts.running(id), 0),
    pendingCount: ids.reduce((n, id) => n + counts.pending(id), 0),
    ...(launch?.capacityProviderStrategy ? { capacityProviderStrategy: launch.capacityProviderStrategy } : launch ? { launchType: launch.launchType ?? 'EC2' } : {}),
    ...(launch?.platformVersion ? { platformVersion: launch.platformVersion } : {}),
    ...((external ? primarySet?.taskDefinitionArn : svc.taskDefinitionArn) ? { taskDefinition: external ? primarySet!.taskDefinitionArn : svc.taskDefinitionArn } : {}),
    deploymentConfiguration: svc.deploymentConfiguration,
    ...(external ? { taskSets: sets.map((s) => taskSetView(ctx, s, svc, counts, includeTags)) } : {}),
    deployments: external ? [] : svc.deployments.map((d) => deploymentView(d, svc, counts)),
    events: svc.events.map((e) => ({ id: e.id, createdAt: secs(e.createdAt), message: e.message })),
    createdAt: secs(svc.createdAt),
    placementConstraints: svc.placementConstraints,
    placementStrategy: svc.placementStrategy,
    ...(launch?.networkConfiguration ? { networkConfiguration: launch.networkConfiguration } : {}),
    ...(svc.healthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds: svc.healthCheckGracePeriodSeconds } : {}),
    schedulingStrategy: svc.schedulingStrategy,
    // ECS leaves deploymentController out for its own (ECS) controller.
    ...(external ? { deploymentController: { type: 'EXTERNAL' } } : {}),
    ...(includeTags ? { tags: svc.tags } : {}),
    createdBy: svc.createdBy,
    enableECSManagedTags: svc.enableECSManagedTags,
    propagateTags: svc.propagateTags,
    enableExecuteCommand: svc.enableExecuteCommand,
  };
}

/** "name", or a service ARN in the long (…:service/cluster/name) or short (…:service/name) form. */
export function findService(ctx: ApiContext, cluster: ClusterRecord, ref: string): ServiceRecord | undefined {
  const parsed = parseArn(ref);
  let name = ref;
  if (parsed) {
    if (parsed.resourceType !== 'service') return undefined;
    const parts = parsed.resource.split('/');
    if (parts.length === 2 && parts[0] !== cluster.name) return undefined;
    name = parts[parts.length - 1] ?? '';
  }
  return ctx.store.getDocument<ServiceRecord>(SERVICE_KIND, serviceArn(ctx.scope, cluster.name, name));
}

export function requireService(ctx: ApiContext, cluster: ClusterRecord, ref: string): ServiceRecord {
  const svc = findService(ctx, cluster, ref);
  if (!svc) throw new EcsError('ServiceNotFoundException', `Service not found: ${ref}.`);
  return svc;
}

export function requireActiveService(ctx: ApiContext, cluster: ClusterRecord, ref: string): ServiceRecord {
  const svc = requireService(ctx, cluster, ref);
  if (svc.status !== 'ACTIVE') throw new EcsError('ServiceNotActiveException', `Service was not ACTIVE: ${svc.name} is ${svc.status}.`);
  return svc;
}

export function putService(ctx: ApiContext, svc: ServiceRecord): void {
  ctx.store.putDocument(SERVICE_KIND, svc.arn, svc.clusterName, svc);
}
