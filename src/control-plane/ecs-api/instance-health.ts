// DescribeContainerInstances' healthStatus (include CONTAINER_INSTANCE_HEALTH), from the
// instance status the agent last published over TCS (PublishInstanceStatusRequest: type
// "ContainerRuntime", status OK/IMPAIRED/…, times in epoch seconds). No report yet: ECS's
// INSUFFICIENT_DATA with no details.
import type { ContainerInstanceRecord } from '../model/records.ts';
import type { ApiContext } from './context.ts';

const STATES = ['OK', 'IMPAIRED', 'INSUFFICIENT_DATA', 'INITIALIZING'] as const;
type HealthState = (typeof STATES)[number];
/** Worst first: the overall status is the worst of the details. */
const SEVERITY: HealthState[] = ['IMPAIRED', 'INSUFFICIENT_DATA', 'INITIALIZING', 'OK'];

interface ReportedStatus {
  type?: unknown;
  status?: unknown;
  lastStatusChange?: unknown;
  lastUpdated?: unknown;
}

/** "ContainerRuntime" → "CONTAINER_RUNTIME", the API's spelling of the same check. */
const apiType = (t: string) => t.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
const seconds = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

export function instanceHealthStatus(ctx: ApiContext, ci: ContainerInstanceRecord): Record<string, unknown> {
  const entry = ctx.health.view(ci.arn).instances[ci.arn] as { instanceStatus?: { statuses?: unknown } | null } | undefined;
  const reported = Array.isArray(entry?.instanceStatus?.statuses) ? (entry.instanceStatus.statuses as ReportedStatus[]) : [];
  const details = reported
    .filter((s) => typeof s?.type === 'string' && typeof s.status === 'string')
    .map((s) => ({
      type: apiType(s.type as string),
      status: (STATES as readonly string[]).includes(s.status as string) ? (s.status as HealthState) : 'INSUFFICIENT_DATA',
      ...(seconds(s.lastUpdated) !== undefined ? { lastUpdated: seconds(s.lastUpdated) } : {}),
      ...(seconds(s.lastStatusChange) !== undefined ? { lastStatusChange: seconds(s.lastStatusChange) } : {}),
    }));
  if (details.length === 0) return { overallStatus: 'INSUFFICIENT_DATA', details: [] };
  const overallStatus = SEVERITY.find((state) => details.some((d) => d.status === state)) ?? 'OK';
  return { overallStatus, details };
}
