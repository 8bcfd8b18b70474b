// PURE: one reconcile step of a service's tasks, as ECS's rolling-update scheduler decides it.
// Given the tasks a service (or task set) has and how many it wants, say how many to start and
// which to stop, never going above maximumPercent of the desired count (RUNNING + PENDING, tasks
// still stopping included) nor below minimumHealthyPercent of it (RUNNING) on purpose. The same
// rule replaces tasks of older deployments, tasks on DRAINING instances and surplus tasks after a
// scale-down; tasks failing their container health checks are stopped regardless, as they are not
// healthy anyway.

export interface PlannedTask {
  arn: string;
  /** Belongs to the deployment (or task set) the service is converging to. */
  current: boolean;
  /** lastStatus RUNNING (else PENDING). */
  running: boolean;
  /** Its container instance is DRAINING (or otherwise no longer takes the task): replace it. */
  draining: boolean;
  /** Failing container health checks past the grace period: replace it. */
  unhealthy: boolean;
  /** Already told to stop, not yet stopped: counts toward the maximum, is never stopped twice. */
  stopping: boolean;
}

export interface RolloutInput {
  desired: number;
  minimumHealthyPercent: number;
  maximumPercent: number;
  /** New tasks may be started (false: the deployment FAILED, or it is backing off after failures). */
  canLaunch: boolean;
  /** Tasks of other deployments are to be replaced (false while the current one has FAILED
   *  without a rollback: what still runs keeps running). */
  replaceOthers: boolean;
  tasks: PlannedTask[];
}

export type StopWhy = 'unhealthy' | 'draining' | 'replaced' | 'excess';

export interface RolloutPlan {
  start: number;
  stop: Array<{ arn: string; why: StopWhy }>;
  /** Work is left but minimumHealthyPercent/maximumPercent allow neither a start nor a stop. */
  blockedByConfig: boolean;
  /** Exactly `desired` current tasks, all RUNNING, healthy, on usable instances, nothing else. */
  steady: boolean;
}

export function planRollout(input: RolloutInput): RolloutPlan {
  const { desired } = input;
  const maxTotal = Math.floor((desired * input.maximumPercent) / 100);
  const minHealthy = Math.ceil((desired * input.minimumHealthyPercent) / 100);
  const stop: RolloutPlan['stop'] = [];

  const stopping = input.tasks.filter((t) => t.stopping);
  const active = input.tasks.filter((t) => !t.stopping);
  for (const t of active) if (t.unhealthy) stop.push({ arn: t.arn, why: 'unhealthy' });
  const usable = active.filter((t) => !t.unhealthy);

  // Current tasks on usable instances are what the service keeps; beyond `desired` they are
  // surplus (PENDING ones go first: they serve nothing yet).
  const good = usable.filter((t) => t.current && !t.draining).sort((a, b) => Number(a.running) - Number(b.running));
  const excessCount = Math.max(0, good.length - desired);
  const excess = good.slice(0, excessCount);
  const kept = good.length - excessCount;

  const others = input.replaceOthers ? usable.filter((t) => !t.current) : usable.filter((t) => !t.current && t.draining);
  const surplus: Array<{ t: PlannedTask; why: StopWhy }> = [
    ...others.filter((t) => t.draining).map((t) => ({ t, why: 'draining' as const })),
    ...others.filter((t) => !t.draining).map((t) => ({ t, why: 'replaced' as const })),
    ...usable.filter((t) => t.current && t.draining).map((t) => ({ t, why: 'draining' as const })),
    ...excess.map((t) => ({ t, why: 'excess' as const })),
  ];

  // Stopping a PENDING task costs no healthy task; a RUNNING one only within the minimum.
  let budget = usable.filter((t) => t.running).length - minHealthy;
  for (const { t, why } of surplus) {
    if (!t.running) stop.push({ arn: t.arn, why });
    else if (budget > 0) {
      stop.push({ arn: t.arn, why });
      budget--;
    }
  }

  const total = stopping.length + active.length; // stopped-now tasks still count until they stop
  const start = input.canLaunch ? Math.max(0, Math.min(desired - kept, maxTotal - total)) : 0;

  const inFlight = stopping.length > 0 || active.some((t) => !t.running);
  const blockedByConfig = input.canLaunch && desired - kept > 0 && start === 0 && stop.length === 0 && !inFlight;
  const steady = stop.length === 0 && start === 0 && stopping.length === 0 && active.length === desired &&
    good.length === desired && good.every((t) => t.running);
  return { start, stop, blockedByConfig, steady };
}
