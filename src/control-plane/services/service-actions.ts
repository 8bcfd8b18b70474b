// The scheduler's side effects: launching a service's tasks through the shared placement path
// (placeAndLaunch, the same one RunTask uses) and stopping them through the task state machine,
// each recorded as a service event.
import type { PlacementStrategy } from '@aws-sdk/client-ecs';
import { lastSegment } from '../../protocol/arn.ts';
import type { ApiContext } from '../ecs-api/context.ts';
import { findTaskDefinition } from '../ecs-api/resolve.ts';
import { placeAndLaunch, type LaunchRequest } from '../ecs-api/task-launch.ts';
import { tagsForNewTask } from '../ecs-api/tag-rules.ts';
import type { ContainerInstanceRecord, TaskRecord } from '../model/records.ts';
import { transition } from '../model/task-lifecycle.ts';
import { serviceGroup, type ServiceRecord } from './records.ts';
import { addEvent, reportProblem, startedMessage, stoppedMessage, unplacedMessage } from './service-events.ts';

/** Without a placementStrategy ECS balances a service's tasks across Availability Zones, then
 *  across the instances of a zone (fewest tasks of the service first). */
const DEFAULT_SERVICE_STRATEGY: PlacementStrategy[] = [
  { type: 'spread', field: 'attribute:ecs.availability-zone' },
  { type: 'spread', field: 'instanceId' },
];

export interface LaunchUnit {
  /** The deployment or task set id: the tasks' startedBy. */
  id: string;
  taskDefinitionArn: string;
  /** Set for a task set's tasks (events name the task set). */
  taskSetId?: string;
  /** Only these instances are candidates (a DAEMON task for one instance). */
  instanceArns?: string[];
}

/** Starts up to `count` tasks of the unit; returns the ARNs of those placed. */
export function launchServiceTasks(ctx: ApiContext, svc: ServiceRecord, unit: LaunchUnit, count: number, now: number): string[] {
  if (count <= 0) return [];
  const who = unit.taskSetId ? `(service ${svc.name}, taskSet ${unit.taskSetId})` : `(service ${svc.name})`;
  const cluster = ctx.store.getCluster(svc.clusterName);
  const taskDefinition = findTaskDefinition(ctx, unit.taskDefinitionArn);
  if (!cluster || !taskDefinition) {
    reportProblem(svc, now, `${who} failed to launch a task: task definition ${unit.taskDefinitionArn} was not found.`);
    return [];
  }
  const request: LaunchRequest = {
    cluster,
    taskDefinition,
    overrides: {},
    startedBy: unit.id,
    group: serviceGroup(svc.name),
    tags: tagsForNewTask({
      requested: [],
      propagateTags: svc.propagateTags,
      taskDefinition,
      serviceTags: svc.tags,
      managed: svc.enableECSManagedTags ? { clusterName: svc.clusterName, serviceName: svc.name } : undefined,
    }),
    ...(svc.enableExecuteCommand ? { enableExecuteCommand: true as const } : {}),
  };
  const spec = {
    strategy: svc.placementStrategy.length > 0 ? svc.placementStrategy : DEFAULT_SERVICE_STRATEGY,
    constraints: svc.placementConstraints,
    ...(unit.instanceArns ? { instanceArns: unit.instanceArns } : {}),
  };
  const { tasks, failures } = placeAndLaunch(ctx, request, count, spec);
  const arns = tasks.map((t) => (t as { taskArn: string }).taskArn);
  if (arns.length > 0) {
    addEvent(svc, now, startedMessage(who, arns));
    ctx.logger.info({ service: svc.arn, startedBy: unit.id, tasks: arns }, 'service tasks started');
  }
  if (arns.length < count) reportProblem(svc, now, unplacedMessage(who, failures));
  else svc.lastProblem = undefined;
  return arns;
}

/** Asks the agents to stop these tasks (desired STOPPED, stop code ServiceSchedulerInitiated). */
export function stopServiceTasks(ctx: ApiContext, svc: ServiceRecord, tasks: TaskRecord[], reason: string, now: number, taskSetId?: string): void {
  const stopped: TaskRecord[] = [];
  for (const t of tasks) {
    const result = transition(t, { kind: 'stop-requested', at: now, reason });
    if (result.changed) stopped.push({ ...result.task, stopCode: 'ServiceSchedulerInitiated' });
  }
  if (stopped.length === 0) return;
  // The stop and the payload that carries it are written as one unit, as StopTask does.
  ctx.store.atomically(() => {
    for (const t of stopped) ctx.store.putTask(t);
    for (const instanceArn of new Set(stopped.map((t) => t.containerInstanceArn))) {
      ctx.acs.pushTasks(instanceArn, stopped.filter((t) => t.containerInstanceArn === instanceArn));
    }
  });
  const who = taskSetId ? `(service ${svc.name}, taskSet ${taskSetId})` : `(service ${svc.name})`;
  addEvent(svc, now, stoppedMessage(who, stopped.map((t) => t.arn)));
  ctx.logger.info({ service: svc.arn, tasks: stopped.map((t) => lastSegment(t.arn)), reason }, 'service tasks stopped');
}

/** Where a task's instance stands: still usable, DRAINING (replace its tasks), or gone
 *  (deregistered: its tasks no longer count for anything). */
export function instanceStanding(ci: ContainerInstanceRecord | undefined): 'usable' | 'draining' | 'gone' {
  if (!ci) return 'gone';
  switch (ci.status) {
    case 'ACTIVE': return 'usable';
    case 'DRAINING': return 'draining';
    case 'INACTIVE': return 'gone';
    default: {
      const never: never = ci.status;
      throw new Error(`unknown container instance status ${String(never)}`);
    }
  }
}
