// Records → the JSON shapes DescribeX / RunTask / RegisterX answer (boto3 "Response Syntax").
// Timestamps become epoch seconds; counts and remaining resources are derived on each read.
import { clusterArn } from '../../protocol/arn.ts';
import { toEpochSeconds } from '../../protocol/ecs-wire.ts';
import type { ContainerHealthStatus } from '../../protocol/tcs-health.ts';
import type { ContainerInstanceRecord, TaskDefinitionRecord, TaskRecord } from '../model/records.ts';
import { requiresAttributes } from '../model/requires-attributes.ts';
import { remainingResources } from '../scheduler/placement.ts';
import type { ApiContext } from './context.ts';
import { agentConnected, effectiveAttributes, indexOf } from './instance-facts.ts';

const secs = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : toEpochSeconds(ms));

export function taskDefinitionView(td: TaskDefinitionRecord): Record<string, unknown> {
  return {
    ...td.definition,
    taskDefinitionArn: td.arn,
    family: td.family,
    revision: td.revision,
    status: td.status,
    compatibilities: ['EC2', 'EXTERNAL'],
    networkMode: td.definition.networkMode ?? 'bridge',
    volumes: td.definition.volumes ?? [],
    placementConstraints: td.definition.placementConstraints ?? [],
    requiresAttributes: requiresAttributes(td.definition),
    registeredAt: secs(td.registeredAt),
    ...(td.deregisteredAt !== undefined ? { deregisteredAt: secs(td.deregisteredAt) } : {}),
  };
}

export function containerInstanceView(ctx: ApiContext, ci: ContainerInstanceRecord): Record<string, unknown> {
  // From the placement index: counting tasks here must not read (and parse) them from the store.
  const usage = indexOf(ctx).usageOf(ci.arn);
  return {
    containerInstanceArn: ci.arn,
    ec2InstanceId: ci.ec2InstanceId,
    version: ci.version,
    ...(ci.versionInfo ? { versionInfo: ci.versionInfo } : {}),
    remainingResources: remainingResources(ci.registeredResources, [usage.used]),
    registeredResources: ci.registeredResources,
    status: ci.status,
    agentConnected: agentConnected(ctx, ci),
    runningTasksCount: usage.runningTasksCount,
    pendingTasksCount: usage.pendingTasksCount,
    attributes: effectiveAttributes(ctx, ci),
    registeredAt: secs(ci.registeredAt),
    attachments: [],
    tags: ci.tags,
  };
}

/**
 * A task's health from its essential containers' (ECS: "determined by the health of the essential
 * containers"): any UNHEALTHY → UNHEALTHY, else any UNKNOWN → UNKNOWN, else HEALTHY when at least
 * one reported. Containers without a health check report nothing and do not count.
 */
export function taskHealthStatus(t: TaskRecord, health: Map<string, ContainerHealthStatus>): ContainerHealthStatus {
  const reported = t.containers.filter((c) => c.essential).map((c) => health.get(c.name)).filter((h) => h !== undefined);
  if (reported.includes('UNHEALTHY')) return 'UNHEALTHY';
  if (reported.includes('UNKNOWN') || reported.length === 0) return 'UNKNOWN';
  return 'HEALTHY';
}

export function taskView(ctx: ApiContext, t: TaskRecord, includeTags: boolean): Record<string, unknown> {
  const health = ctx.health.containerHealth(t.arn);
  return {
    taskArn: t.arn,
    clusterArn: clusterArn(ctx.scope, t.clusterName),
    taskDefinitionArn: t.taskDefinitionArn,
    containerInstanceArn: t.containerInstanceArn,
    overrides: { containerOverrides: [], inferenceAcceleratorOverrides: [], ...t.overrides },
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    // Task-level sizes when the definition set them, else what the task reserves on its instance.
    cpu: t.cpu ?? String(t.needs.cpu),
    memory: t.memory ?? String(t.needs.memory),
    containers: t.containers.map((c) => ({
      containerArn: c.containerArn,
      taskArn: t.arn,
      name: c.name,
      image: c.image,
      ...(c.runtimeId ? { runtimeId: c.runtimeId } : {}),
      lastStatus: c.lastStatus,
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      ...(c.reason ? { reason: c.reason } : {}),
      networkBindings: c.networkBindings,
      networkInterfaces: [],
      healthStatus: health.get(c.name) ?? 'UNKNOWN',
      ...(c.cpu !== undefined ? { cpu: String(c.cpu) } : {}),
      ...(c.memory !== undefined ? { memory: String(c.memory) } : {}),
      ...(c.memoryReservation !== undefined ? { memoryReservation: String(c.memoryReservation) } : {}),
    })),
    ...(t.startedBy ? { startedBy: t.startedBy } : {}),
    version: t.version,
    ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
    ...(t.stopCode ? { stopCode: t.stopCode } : {}),
    connectivity: 'CONNECTED',
    createdAt: secs(t.createdAt),
    startedAt: secs(t.startedAt),
    pullStartedAt: secs(t.pullStartedAt),
    pullStoppedAt: secs(t.pullStoppedAt),
    stoppingAt: secs(t.stoppingAt),
    stoppedAt: secs(t.stoppedAt),
    executionStoppedAt: secs(t.executionStoppedAt),
    group: t.group,
    launchType: t.launchType,
    attachments: [],
    attributes: [],
    healthStatus: taskHealthStatus(t, health),
    enableExecuteCommand: t.enableExecuteCommand ?? false,
    ...(includeTags ? { tags: t.tags } : {}),
  };
}
