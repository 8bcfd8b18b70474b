// What one reconcile pass reads about a cluster, once for all its services: the live tasks and
// the container instances. Tasks are classified here for the rollout planner, and the tasks a
// deployment or task set tracked that have stopped since the last pass are found here.
import type { ApiContext } from '../ecs-api/context.ts';
import { taskHealthStatus } from '../ecs-api/views.ts';
import type { ContainerInstanceRecord, TaskRecord } from '../model/records.ts';
import type { PlannedTask } from './rollout-plan.ts';
import { serviceGroup, type ServiceRecord } from './records.ts';
import { instanceStanding } from './service-actions.ts';

export interface ClusterScan {
  ctx: ApiContext;
  now: number;
  /** The cluster's tasks not yet STOPPED. */
  live: TaskRecord[];
  instances: Map<string, ContainerInstanceRecord>;
}

export function scanCluster(ctx: ApiContext, clusterName: string, now: number): ClusterScan {
  return {
    ctx,
    now,
    live: ctx.store.listLiveTasks(clusterName),
    instances: new Map(ctx.store.listContainerInstances(clusterName).map((ci) => [ci.arn, ci])),
  };
}

/** A service's live tasks started by one of `ids` (deployments or task sets), on instances that
 *  still exist. (A deregistered instance's tasks are gone for the scheduler.) */
export function tasksOf(scan: ClusterScan, svc: ServiceRecord, ids: ReadonlySet<string>): TaskRecord[] {
  const group = serviceGroup(svc.name);
  return scan.live.filter((t) => t.group === group && t.startedBy !== undefined && ids.has(t.startedBy) &&
    instanceStanding(scan.instances.get(t.containerInstanceArn)) !== 'gone');
}

/** The planner's view of a task. Health counts only after the service's grace period. */
export function planned(scan: ClusterScan, t: TaskRecord, current: boolean, graceSeconds = 0): PlannedTask {
  const stopping = t.desiredStatus === 'STOPPED';
  const running = t.lastStatus === 'RUNNING';
  const pastGrace = (t.startedAt ?? scan.now) + graceSeconds * 1000 <= scan.now;
  const unhealthy = running && !stopping && pastGrace && taskHealthStatus(t, scan.ctx.health.containerHealth(t.arn)) === 'UNHEALTHY';
  return {
    arn: t.arn,
    current,
    running,
    draining: instanceStanding(scan.instances.get(t.containerInstanceArn)) === 'draining',
    unhealthy,
    stopping,
  };
}

/** Of the tasks tracked last pass, those that have STOPPED since. */
export function stoppedSince(scan: ClusterScan, tracked: readonly string[], stillLive: ReadonlySet<string>): TaskRecord[] {
  const out: TaskRecord[] = [];
  for (const arn of tracked) {
    if (stillLive.has(arn)) continue;
    const t = scan.ctx.store.getTask(arn);
    if (t?.lastStatus === 'STOPPED') out.push(t);
  }
  return out;
}

/** Whether the task stopped on its own without ever running (circuit breaker stage 1). */
export const failedToStart = (t: TaskRecord): boolean =>
  t.startedAt === undefined && t.stopCode !== 'ServiceSchedulerInitiated' && t.stopCode !== 'UserInitiated';
