// A deployment's life under the ECS (rolling update) controller: created IN_PROGRESS, COMPLETED
// when the service reaches a steady state on it, FAILED when the deployment circuit breaker trips,
// and — with rollback — replaced by the last deployment that COMPLETED.
import type { TaskRecord } from '../model/records.ts';
import { circuitBreakerThreshold, newDeploymentId, type DeploymentRecord, type ServiceRecord } from './records.ts';
import { addEvent, completedMessage, failedMessage, inconsistentMessage, reportProblem, rollbackMessage, steadyMessage } from './service-events.ts';
import { failedToStart } from './task-scan.ts';

/** After the n-th consecutive failed task, wait this long before the next launch (ECS throttles
 *  a service whose tasks keep failing rather than relaunching them in a tight loop). */
export const launchBackoffMs = (failures: number): number => Math.min(30_000, 100 * 2 ** failures);

export function newDeployment(svc: Pick<ServiceRecord, 'launchType' | 'capacityProviderStrategy' | 'networkConfiguration' | 'platformVersion'>,
  taskDefinitionArn: string, now: number): DeploymentRecord {
  const id = newDeploymentId();
  return {
    id,
    status: 'PRIMARY',
    taskDefinitionArn,
    createdAt: now,
    updatedAt: now,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: `ECS deployment ${id} in progress.`,
    failedTasks: 0,
    sawRunning: false,
    taskArns: [],
    ...(svc.launchType ? { launchType: svc.launchType } : {}),
    ...(svc.capacityProviderStrategy ? { capacityProviderStrategy: svc.capacityProviderStrategy } : {}),
    ...(svc.networkConfiguration ? { networkConfiguration: svc.networkConfiguration } : {}),
    ...(svc.platformVersion ? { platformVersion: svc.platformVersion } : {}),
  };
}

/** Makes `next` the PRIMARY deployment; the previous ones stay (ACTIVE) until their tasks drain. */
export function promote(svc: ServiceRecord, next: DeploymentRecord): void {
  const rest = svc.deployments.filter((d) => d.id !== next.id).map((d) => (d.status === 'PRIMARY' ? { ...d, status: 'ACTIVE' as const } : d));
  svc.deployments = [{ ...next, status: 'PRIMARY' }, ...rest];
  svc.taskDefinitionArn = next.taskDefinitionArn;
  svc.steady = false;
}

/** A task of the deployment reached RUNNING: stage 1 of the circuit breaker is over. */
function sawRunning(d: DeploymentRecord): void {
  if (d.sawRunning) return;
  d.sawRunning = true;
  d.failedTasks = 0;
  delete d.launchNotBefore;
}

/** Accounts for the deployment's tasks: those that stopped since the last pass, and those running. */
export function accountTasks(d: DeploymentRecord, stopped: TaskRecord[], live: TaskRecord[], now: number): void {
  for (const t of stopped) {
    if (t.startedAt !== undefined) sawRunning(d);
    else if (failedToStart(t) && !d.sawRunning) {
      d.failedTasks++;
      d.launchNotBefore = now + launchBackoffMs(d.failedTasks);
      d.updatedAt = now;
    }
  }
  if (live.some((t) => t.lastStatus === 'RUNNING')) sawRunning(d);
}

/** A task of the deployment was stopped for failing its health checks (circuit breaker stage 2). */
export function countUnhealthy(d: DeploymentRecord, now: number): void {
  if (d.status !== 'PRIMARY' || d.rolloutState !== 'IN_PROGRESS' || !d.sawRunning) return;
  d.failedTasks++;
  d.updatedAt = now;
}

/** Trips the circuit breaker when the primary deployment has failed too many tasks; with rollback,
 *  the last COMPLETED deployment becomes PRIMARY again. */
export function checkCircuitBreaker(svc: ServiceRecord, now: number): void {
  const primary = svc.deployments[0];
  if (!primary || primary.status !== 'PRIMARY' || primary.rolloutState !== 'IN_PROGRESS') return;
  if (primary.failedTasks < circuitBreakerThreshold(svc.desiredCount)) return;
  const breaker = svc.deploymentConfiguration.deploymentCircuitBreaker;
  if (!breaker.enable) {
    reportProblem(svc, now, inconsistentMessage(svc));
    return;
  }
  primary.rolloutState = 'FAILED';
  primary.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
  primary.updatedAt = now;
  delete primary.launchNotBefore;
  addEvent(svc, now, failedMessage(svc, primary.id));
  const target = svc.lastCompleted;
  // The deployment rolled back to is not eligible for another rollback until it completes again.
  if (!breaker.rollback || !target || target.id === primary.id) return;
  const existing = svc.deployments.find((d) => d.id === target.id);
  const base = existing ?? { ...newDeployment(primary, target.taskDefinitionArn, now), id: target.id, createdAt: target.createdAt };
  promote(svc, {
    ...base,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: `ECS deployment circuit breaker: rolling back to deploymentId ${target.id}.`,
    failedTasks: 0,
    sawRunning: false,
    updatedAt: now,
  });
  addEvent(svc, now, rollbackMessage(svc, target.id));
}

/** Records the outcome of a pass: steady → the primary deployment COMPLETED (once) and "reached
 *  a steady state" (once per return to steady). */
export function settle(svc: ServiceRecord, steady: boolean, now: number): void {
  if (!steady) {
    svc.steady = false;
    return;
  }
  const primary = svc.deployments[0];
  if (primary && primary.rolloutState === 'IN_PROGRESS') {
    primary.rolloutState = 'COMPLETED';
    primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
    primary.updatedAt = now;
    svc.lastCompleted = { id: primary.id, taskDefinitionArn: primary.taskDefinitionArn, createdAt: primary.createdAt };
    addEvent(svc, now, completedMessage(svc, primary.id));
  }
  if (!svc.steady) {
    svc.steady = true;
    delete svc.lastProblem;
    addEvent(svc, now, steadyMessage(svc));
  }
}
