// A service's event stream (DescribeServices `events`): newest first, at most 100, worded as the
// ECS service scheduler words them. Problems (a task that cannot be placed, a deployment that
// cannot move) are said once until their cause changes, as ECS omits duplicate messages.
import { randomUUID } from 'node:crypto';
import { lastSegment } from '../../protocol/arn.ts';
import { MAX_EVENTS, type ServiceRecord } from './records.ts';

export function addEvent(svc: ServiceRecord, now: number, message: string): void {
  svc.events = [{ id: randomUUID(), createdAt: now, message }, ...svc.events].slice(0, MAX_EVENTS);
}

/** Records a problem event unless it is the one already reported. */
export function reportProblem(svc: ServiceRecord, now: number, message: string): void {
  if (svc.lastProblem === message) return;
  svc.lastProblem = message;
  addEvent(svc, now, message);
}

/** "(service web)" or, for a task set's tasks, "(service web, taskSet ecs-svc/123)". */
export const subject = (svc: ServiceRecord, taskSetId?: string): string =>
  taskSetId ? `(service ${svc.name}, taskSet ${taskSetId})` : `(service ${svc.name})`;

const taskList = (arns: string[]): string => arns.map((a) => `(task ${lastSegment(a)})`).join(' ');

export const startedMessage = (who: string, arns: string[]): string => `${who} has started ${arns.length} tasks: ${taskList(arns)}.`;
export const stoppedMessage = (who: string, arns: string[]): string => `${who} has stopped ${arns.length} running tasks: ${taskList(arns)}.`;
export const steadyMessage = (svc: ServiceRecord): string => `${subject(svc)} has reached a steady state.`;
export const completedMessage = (svc: ServiceRecord, id: string): string => `${subject(svc)} (deployment ${id}) deployment completed.`;
export const failedMessage = (svc: ServiceRecord, id: string): string => `${subject(svc)} (deployment ${id}) deployment failed: tasks failed to start.`;
export const rollbackMessage = (svc: ServiceRecord, id: string): string => `${subject(svc)} rolling back to deployment ${id}.`;
export const inconsistentMessage = (svc: ServiceRecord): string => `${subject(svc)} is unable to consistently start tasks successfully.`;
export const blockedMessage = (svc: ServiceRecord): string =>
  `${subject(svc)} was unable to stop or start tasks during a deployment because of the service deployment configuration. ` +
  'Update the minimumHealthyPercent or maximumPercent value and try again.';

const TROUBLESHOOTING = 'For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.';

/** What the closest instance lacked, in ECS's words, from a placement failure reason. */
function lack(reason: string): string {
  switch (reason) {
    case 'RESOURCE:CPU': return 'has insufficient CPU units available';
    case 'RESOURCE:MEMORY': return 'has insufficient memory available';
    case 'RESOURCE:PORTS':
    case 'RESOURCE:PORTS_UDP': return 'is already using a port required by your task';
    case 'ATTRIBUTE': return 'is missing an attribute required by your task';
    case 'AGENT': return 'encountered error "AGENT"';
    default: return reason.endsWith('.') ? `failed: ${reason.slice(0, -1)}` : `failed: ${reason}`;
  }
}

/** "(service web) was unable to place a task because no container instance met all of its requirements. …" */
export function unplacedMessage(who: string, failures: Array<{ arn: string; reason: string }>): string {
  const head = `${who} was unable to place a task because no container instance met all of its requirements.`;
  const closest = failures[0];
  if (!closest) return `${head} Reason: No Container Instances were found in your cluster. ${TROUBLESHOOTING}`;
  return `${head} The closest matching (container-instance ${lastSegment(closest.arn)}) ${lack(closest.reason)}. ${TROUBLESHOOTING}`;
}
