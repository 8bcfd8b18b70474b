// Wire statuses exactly as ECS spells them. Enumerations are `as const` arrays so that the type is
// derived from the values and a parser can check membership at the boundary.

/** Task `lastStatus` / `desiredStatus` values as DescribeTasks shows them. */
export const TASK_STATUSES = [
  'PROVISIONING',
  'PENDING',
  'ACTIVATING',
  'RUNNING',
  'DEACTIVATING',
  'STOPPING',
  'DEPROVISIONING',
  'STOPPED',
  'DELETED',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** What the agent ever reports: the real agent reports no PENDING, only RUNNING and STOPPED. */
export const REPORTED_TASK_STATUSES = ['RUNNING', 'STOPPED'] as const;
export type ReportedTaskStatus = (typeof REPORTED_TASK_STATUSES)[number];

/** Container `lastStatus` values. */
export const CONTAINER_STATUSES = ['PENDING', 'RUNNING', 'STOPPED'] as const;
export type ContainerStatus = (typeof CONTAINER_STATUSES)[number];

/** Desired statuses ACS can push to an agent. */
export const DESIRED_STATUSES = ['RUNNING', 'STOPPED'] as const;
export type DesiredStatus = (typeof DESIRED_STATUSES)[number];

/** ECS task stop codes (DescribeTasks `stopCode`). */
export const STOP_CODES = [
  'TaskFailedToStart',
  'EssentialContainerExited',
  'UserInitiated',
  'ServiceSchedulerInitiated',
  'SpotInterruption',
  'TerminationNotice',
] as const;
export type StopCode = (typeof STOP_CODES)[number];

export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}
