// One reconcile pass of a service under the ECS (rolling update) deployment controller: notice the
// tasks that stopped, trip the circuit breaker if due, then converge — REPLICA services to
// `desiredCount` tasks of the PRIMARY deployment, DAEMON services to one task per ACTIVE instance —
// within minimumHealthyPercent / maximumPercent; a DRAINING (deleted) service to no tasks at all.
import { lastSegment } from '../../protocol/arn.ts';
import type { TaskRecord } from '../model/records.ts';
import { accountTasks, checkCircuitBreaker, countUnhealthy, settle } from './deployment-lifecycle.ts';
import type { DeploymentRecord, ServiceRecord } from './records.ts';
import { planRollout, type PlannedTask, type RolloutPlan, type StopWhy } from './rollout-plan.ts';
import { launchServiceTasks, stopServiceTasks } from './service-actions.ts';
import { blockedMessage, reportProblem } from './service-events.ts';
import { planned, stoppedSince, tasksOf, type ClusterScan } from './task-scan.ts';

/** Mutates `svc` (the caller's copy) and launches/stops tasks. */
export function reconcileEcsService(scan: ClusterScan, svc: ServiceRecord): void {
  const tasks = tasksOf(scan, svc, new Set(svc.deployments.map((d) => d.id)));
  const byDeployment = (d: DeploymentRecord) => tasks.filter((t) => t.startedBy === d.id);
  for (const d of svc.deployments) {
    const live = byDeployment(d);
    accountTasks(d, stoppedSince(scan, d.taskArns, new Set(live.map((t) => t.arn))), live, scan.now);
  }
  if (svc.status === 'ACTIVE') checkCircuitBreaker(svc, scan.now);

  let launched: string[] = [];
  if (svc.status === 'DRAINING') drain(scan, svc, tasks);
  else if (svc.schedulingStrategy === 'DAEMON') launched = converge(scan, svc, tasks, daemonPlan(scan, svc, tasks));
  else launched = converge(scan, svc, tasks, replicaPlan(scan, svc, tasks));

  // Every deployment remembers its live tasks, so that the next pass notices which of them
  // stopped; old deployments leave the list once none of their tasks is left.
  for (const d of svc.deployments) d.taskArns = byDeployment(d).map((t) => t.arn);
  if (svc.deployments[0]) svc.deployments[0].taskArns.push(...launched);
  if (svc.status === 'ACTIVE') svc.deployments = svc.deployments.filter((d) => d.status === 'PRIMARY' || d.taskArns.length > 0);
}

interface Planned {
  plan: RolloutPlan;
  /** Instances to start on, in order (DAEMON); absent: anywhere placement chooses. */
  targets?: string[];
}

function replicaPlan(scan: ClusterScan, svc: ServiceRecord, tasks: TaskRecord[]): Planned {
  const primary = svc.deployments[0]!;
  const failed = primary.rolloutState === 'FAILED';
  const grace = svc.healthCheckGracePeriodSeconds;
  return {
    plan: planRollout({
      desired: svc.desiredCount,
      minimumHealthyPercent: svc.deploymentConfiguration.minimumHealthyPercent,
      maximumPercent: svc.deploymentConfiguration.maximumPercent,
      canLaunch: !failed && (primary.launchNotBefore ?? 0) <= scan.now,
      replaceOthers: !failed,
      tasks: tasks.map((t) => planned(scan, t, t.startedBy === primary.id, grace)),
    }),
  };
}

/**
 * DAEMON: one task of the PRIMARY deployment per ACTIVE instance. A second one on an instance is
 * surplus. On a DRAINING instance the daemon's task is left until it is the instance's last
 * service task (ECS stops daemon tasks last, so what they provide outlives the others), then stopped.
 */
function daemonPlan(scan: ClusterScan, svc: ServiceRecord, tasks: TaskRecord[]): Planned {
  const primary = svc.deployments[0]!;
  const active = [...scan.instances.values()].filter((ci) => ci.status === 'ACTIVE');
  svc.desiredCount = active.length;
  const seen = new Set<string>();
  const plannedTasks: PlannedTask[] = [];
  for (const t of tasks) {
    let p = planned(scan, t, t.startedBy === primary.id, svc.healthCheckGracePeriodSeconds);
    if (p.draining && scan.live.some((o) => o.containerInstanceArn === t.containerInstanceArn && o.group !== t.group && o.desiredStatus === 'RUNNING')) {
      continue; // not yet: other tasks still run on the draining instance
    }
    if (p.current && !p.stopping && !p.draining && !p.unhealthy) {
      if (seen.has(t.containerInstanceArn)) p = { ...p, current: false };
      else seen.add(t.containerInstanceArn);
    }
    plannedTasks.push(p);
  }
  const failed = primary.rolloutState === 'FAILED';
  const plan = planRollout({
    desired: active.length,
    minimumHealthyPercent: svc.deploymentConfiguration.minimumHealthyPercent,
    maximumPercent: svc.deploymentConfiguration.maximumPercent,
    canLaunch: !failed && (primary.launchNotBefore ?? 0) <= scan.now,
    replaceOthers: !failed,
    tasks: plannedTasks,
  });
  // An instance whose daemon task is being stopped now gets its new one on a later pass.
  const busy = new Set(tasks.filter((t) => t.startedBy === primary.id && t.desiredStatus === 'RUNNING').map((t) => t.containerInstanceArn));
  return { plan, targets: active.map((ci) => ci.arn).filter((arn) => !seen.has(arn) && !busy.has(arn)) };
}

const STOP_REASONS: Record<StopWhy, (svc: ServiceRecord) => string> = {
  unhealthy: () => 'Task failed container health checks',
  draining: () => 'Task stopped because its container instance is DRAINING',
  replaced: (svc) => `Scaling activity initiated by (deployment ${svc.deployments[0]?.id ?? ''})`,
  excess: (svc) => `Scaling activity initiated by (deployment ${svc.deployments[0]?.id ?? ''})`,
};

function converge(scan: ClusterScan, svc: ServiceRecord, tasks: TaskRecord[], { plan, targets }: Planned): string[] {
  const primary = svc.deployments[0]!;
  const byArn = new Map(tasks.map((t) => [t.arn, t]));
  for (const why of ['unhealthy', 'draining', 'replaced', 'excess'] as const) {
    const chosen = plan.stop.filter((s) => s.why === why).map((s) => byArn.get(s.arn)!).filter(Boolean);
    if (chosen.length === 0) continue;
    if (why === 'unhealthy') {
      for (const t of chosen) {
        const d = svc.deployments.find((x) => x.id === t.startedBy);
        if (d) countUnhealthy(d, scan.now);
      }
    }
    stopServiceTasks(scan.ctx, svc, chosen, STOP_REASONS[why](svc), scan.now);
  }
  const unit = { id: primary.id, taskDefinitionArn: primary.taskDefinitionArn };
  const launched = targets
    ? targets.slice(0, plan.start).flatMap((arn) => launchServiceTasks(scan.ctx, svc, { ...unit, instanceArns: [arn] }, 1, scan.now))
    : launchServiceTasks(scan.ctx, svc, unit, plan.start, scan.now);
  if (plan.blockedByConfig) reportProblem(svc, scan.now, blockedMessage(svc));
  settle(svc, plan.steady, scan.now);
  return launched;
}

/** A deleted service: every task stops; with none left the service is INACTIVE. */
function drain(scan: ClusterScan, svc: ServiceRecord, tasks: TaskRecord[]): void {
  const running = tasks.filter((t) => t.desiredStatus === 'RUNNING');
  if (running.length > 0) stopServiceTasks(scan.ctx, svc, running, STOP_REASONS.replaced(svc), scan.now);
  if (tasks.length > 0) return;
  svc.status = 'INACTIVE';
  svc.steady = false;
  svc.deployments = svc.deployments.map((d) => ({ ...d, status: 'INACTIVE' as const, updatedAt: scan.now, taskArns: [] }));
  scan.ctx.logger.info({ service: svc.arn, name: lastSegment(svc.arn) }, 'service inactive');
}
