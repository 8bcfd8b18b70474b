// The `tasks` of a TCS PublishHealthRequest, as in the ECS agent's TCS model (TaskHealth,
// ContainerHealth): one entry per task that has container health checks, the latest status of
// each checked container. PublishHealthRequest in tcs-frames.ts carries a list of these.

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
