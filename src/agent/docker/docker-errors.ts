// Errors named after the ECS reasons the real agent reports (agent/dockerclient/dockerapi/errors.go):
// the task engine puts `${name}: ${message}` into the container's `reason` field as is.

export abstract class DockerOperationError extends Error {
  /** What ECS shows as the container's reason. */
  get reason(): string {
    return `${this.name}: ${this.message}`;
  }
}

export class CannotPullContainerError extends DockerOperationError {
  override name = 'CannotPullContainerError';
}
export class CannotCreateContainerError extends DockerOperationError {
  override name = 'CannotCreateContainerError';
}
export class CannotStartContainerError extends DockerOperationError {
  override name = 'CannotStartContainerError';
}
export class CannotStopContainerError extends DockerOperationError {
  override name = 'CannotStopContainerError';
}
export class CannotInspectContainerError extends DockerOperationError {
  override name = 'CannotInspectContainerError';
}
export class CannotRemoveContainerError extends DockerOperationError {
  override name = 'CannotRemoveContainerError';
}
export class CannotListContainersError extends DockerOperationError {
  override name = 'CannotListContainersError';
}
export class CannotListVolumesError extends DockerOperationError {
  override name = 'CannotListVolumesError';
}
export class CannotRemoveVolumeError extends DockerOperationError {
  override name = 'CannotRemoveVolumeError';
}
export class DockerTimeoutError extends Error {
  override name = 'DockerTimeoutError';
}

/** The message Docker put in its error body, else the error's own message. */
export function dockerMessage(err: unknown): string {
  if (err instanceof DockerTimeoutError) return err.message;
  const e = err as { json?: { message?: unknown }; reason?: unknown; message?: unknown; statusCode?: unknown } | undefined;
  if (e && typeof e.json === 'object' && e.json && typeof e.json.message === 'string') return e.json.message;
  if (e && typeof e.message === 'string') return e.message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
  return String(err);
}

export function dockerStatusCode(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}
