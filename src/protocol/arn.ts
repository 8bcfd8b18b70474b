// ARN helpers shared by the agent and the control plane. ECS uses the "long" ARN format:
// arn:aws:ecs:<region>:<account>:<type>/<cluster>/<id> for tasks and container instances.

export interface ArnScope {
  readonly region: string;
  readonly accountId: string;
  readonly partition?: string;
}

export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  /** e.g. "task", "cluster", "container-instance", "task-definition", "container". */
  readonly resourceType: string;
  /** Everything after "<type>/" (or after "<type>:" for old-style resources). */
  readonly resource: string;
}

function prefix(scope: ArnScope): string {
  return `arn:${scope.partition ?? 'aws'}:ecs:${scope.region}:${scope.accountId}`;
}

export const clusterArn = (s: ArnScope, cluster: string): string => `${prefix(s)}:cluster/${cluster}`;
export const taskArn = (s: ArnScope, cluster: string, taskId: string): string =>
  `${prefix(s)}:task/${cluster}/${taskId}`;
export const containerInstanceArn = (s: ArnScope, cluster: string, id: string): string =>
  `${prefix(s)}:container-instance/${cluster}/${id}`;
export const taskDefinitionArn = (s: ArnScope, family: string, revision: number): string =>
  `${prefix(s)}:task-definition/${family}:${revision}`;
export const containerArn = (s: ArnScope, cluster: string, taskId: string, uuid: string): string =>
  `${prefix(s)}:container/${cluster}/${taskId}/${uuid}`;

/** Parses any ARN; returns undefined for a plain name or a malformed value. */
export function parseArn(value: string): ParsedArn | undefined {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, accountId] = parts as [string, string, string, string, string];
  const rest = parts.slice(5).join(':');
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  return { partition, service, region, accountId, resourceType: rest.slice(0, slash), resource: rest.slice(slash + 1) };
}

/** The last path segment of an ARN (a task id, a container-instance id), or the value itself. */
export function lastSegment(value: string): string {
  const parsed = parseArn(value);
  const resource = parsed ? parsed.resource : value;
  return resource.slice(resource.lastIndexOf('/') + 1);
}

/**
 * The cluster name from a cluster name or cluster ARN. The real agent sends the plain name (the
 * capture's ACS `clusterArn` query holds "ecsref"), real ECS accepts both.
 */
export function clusterName(value: string): string {
  const parsed = parseArn(value);
  return parsed && parsed.resourceType === 'cluster' ? parsed.resource : value;
}
