// One reconcile pass of a service under the EXTERNAL deployment controller: the caller's task sets
// each keep `computedDesiredCount` tasks (the service's desiredCount × the set's scale, rounded
// up) with the set's task definition. There is no rollout between sets (the external controller
// moves traffic and scale itself); minimumHealthyPercent/maximumPercent only pace the replacement
// of tasks on DRAINING instances. A DRAINING set (DeleteTaskSet) stops its tasks and is removed.
import type { TaskRecord } from '../model/records.ts';
import type { ServiceRecord, TaskSetRecord } from './records.ts';
import { launchBackoffMs } from './deployment-lifecycle.ts';
import { planRollout } from './rollout-plan.ts';
import { launchServiceTasks, stopServiceTasks } from './service-actions.ts';
import { addEvent, steadyMessage } from './service-events.ts';
import { failedToStart, planned, stoppedSince, tasksOf, type ClusterScan } from './task-scan.ts';

export const computedDesiredCount = (svc: Pick<ServiceRecord, 'desiredCount' | 'status'>, set: Pick<TaskSetRecord, 'scale' | 'status'>): number =>
  svc.status === 'ACTIVE' && set.status !== 'DRAINING' ? Math.ceil((svc.desiredCount * set.scale.value) / 100) : 0;

export interface ExternalOutcome {
  /** Task sets to write back (changed or not). */
  keep: TaskSetRecord[];
  /** ARNs of drained DRAINING task sets to delete. */
  remove: string[];
}

/** Mutates `svc` and the given task set copies. */
export function reconcileExternalService(scan: ClusterScan, svc: ServiceRecord, sets: TaskSetRecord[]): ExternalOutcome {
  const keep: TaskSetRecord[] = [];
  const remove: string[] = [];
  for (const set of sets) {
    const tasks = tasksOf(scan, svc, new Set([set.id]));
    account(scan, set, tasks);
    const desired = computedDesiredCount(svc, set);
    const plan = planRollout({
      desired,
      minimumHealthyPercent: svc.deploymentConfiguration.minimumHealthyPercent,
      maximumPercent: svc.deploymentConfiguration.maximumPercent,
      canLaunch: (set.launchNotBefore ?? 0) <= scan.now,
      replaceOthers: true,
      tasks: tasks.map((t) => planned(scan, t, true, svc.healthCheckGracePeriodSeconds)),
    });
    const byArn = new Map(tasks.map((t) => [t.arn, t]));
    const toStop = plan.stop.map((s) => byArn.get(s.arn)).filter((t): t is TaskRecord => t !== undefined);
    if (toStop.length > 0) stopServiceTasks(scan.ctx, svc, toStop, `Scaling activity initiated by (task-set ${set.id})`, scan.now, set.id);
    const launched = launchServiceTasks(scan.ctx, svc, { id: set.id, taskDefinitionArn: set.taskDefinitionArn, taskSetId: set.id }, plan.start, scan.now);
    set.taskArns = [...tasks.map((t) => t.arn), ...launched];
    const stability = plan.steady ? 'STEADY_STATE' : 'STABILIZING';
    if (stability !== set.stabilityStatus) {
      set.stabilityStatus = stability;
      set.stabilityStatusAt = scan.now;
    }
    if (set.status === 'DRAINING' && tasks.length === 0) remove.push(set.arn);
    else keep.push(set);
  }

  if (svc.status === 'DRAINING' && keep.length === 0) {
    svc.status = 'INACTIVE';
    svc.steady = false;
    scan.ctx.logger.info({ service: svc.arn }, 'service inactive');
  } else if (svc.status === 'ACTIVE') {
    const steady = keep.length > 0 && keep.every((s) => s.stabilityStatus === 'STEADY_STATE');
    if (steady && !svc.steady) {
      delete svc.lastProblem;
      addEvent(svc, scan.now, steadyMessage(svc));
    }
    svc.steady = steady;
  }
  return { keep, remove };
}

/** Failed starts back the set's launches off, as for a deployment; a RUNNING task resets that. */
function account(scan: ClusterScan, set: TaskSetRecord, live: TaskRecord[]): void {
  for (const t of stoppedSince(scan, set.taskArns, new Set(live.map((x) => x.arn)))) {
    if (failedToStart(t)) {
      set.failedTasks = (set.failedTasks ?? 0) + 1;
      set.launchNotBefore = scan.now + launchBackoffMs(set.failedTasks);
    }
  }
  if (live.some((t) => t.lastStatus === 'RUNNING')) {
    delete set.failedTasks;
    delete set.launchNotBefore;
  }
}
