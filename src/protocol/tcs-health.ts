// The `tasks` of a TCS PublishHealthRequest, as in the ECS agent's TCS model (TaskHealth,
// ContainerHealth): one entry per task that has container health checks, the latest status of
// each checked container. Kept apart from tcs-frames.ts (owned by the protocol lead), whose
// PublishHealthRequest types `tasks` as unknown[] for now.

export const CONTAINER_HEALTH_STATUSES = ['HEALTHY', 'UNHEALTHY', 'UNKNOWN'] as const;
export type ContainerHealthStatus = (typeof CONTAINER_HEALTH_STATUSES)[number];

export interface ContainerHealth {
  containerName: string;
  healthStatus: ContainerHealthStatus;
  /** Epoch seconds. */
  statusSince?: number;
}

export interface TaskHealth {
  taskArn: string;
  taskDefinitionFamily?: string;
  taskDefinitionVersion?: string;
  containers: ContainerHealth[];
}
