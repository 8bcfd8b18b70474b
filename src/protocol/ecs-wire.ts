// The ECS JSON 1.1 wire: target prefix, content type, and the agent's own request names.

export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113';
export const ECS_CONTENT_TYPE = 'application/x-amz-json-1.1';
/** SigV4 service name for both the API and the ACS/TCS websockets. */
export const ECS_SIGNING_SERVICE = 'ecs';

/** Converts a Date to the JSON 1.1 timestamp: epoch seconds with milliseconds. */
export function toEpochSeconds(date: Date | number): number {
  const ms = typeof date === 'number' ? date : date.getTime();
  return Math.round(ms) / 1000;
}
