// Reconciliation between what the control plane believes an instance runs and what the agent
// runs. The control plane periodically sends a TaskManifestMessage listing the instance's tasks
// that are not STOPPED (with their desiredStatus); the agent answers, for tasks it runs that the
// manifest did not list, with a TaskStopVerificationMessage, and stops only those the control
// plane confirms in TaskStopVerificationAck. Pure functions over records: the gateway does the I/O.
import type { TaskIdentifier } from '../../protocol/acs-messages.ts';
import type { TaskRecord } from '../model/records.ts';

/** The manifest's `tasks`: the instance's tasks that are not STOPPED, at their desiredStatus. */
export function manifestTasks(tasks: TaskRecord[], instanceArn: string, taskClusterArn: (t: TaskRecord) => string): TaskIdentifier[] {
  return tasks
    .filter((t) => t.containerInstanceArn === instanceArn && t.lastStatus !== 'STOPPED')
    .map((t) => ({ taskArn: t.arn, taskClusterArn: taskClusterArn(t), desiredStatus: t.desiredStatus }));
}

/**
 * The candidates the control plane agrees should stop: tasks it does not know at all, and tasks
 * it wants STOPPED. A task it wants RUNNING is never confirmed, even if the agent thinks it is
 * stray (a manifest can cross a payload on the wire).
 */
export function agreedStopTasks(candidates: TaskIdentifier[], lookup: (taskArn: string) => TaskRecord | undefined): TaskIdentifier[] {
  const agreed: TaskIdentifier[] = [];
  for (const c of candidates) {
    if (!c || typeof c.taskArn !== 'string') continue;
    const task = lookup(c.taskArn);
    if (task && task.desiredStatus === 'RUNNING') continue;
    agreed.push({ taskArn: c.taskArn, ...(c.taskClusterArn ? { taskClusterArn: c.taskClusterArn } : {}), desiredStatus: 'STOPPED' });
  }
  return agreed;
}
