// The image side of the Docker port over dockerode: pulls (with registry credentials, progress and
// the inactivity watch) and what image tracking and cleanup need. DockerodeEngine owns the pinned
// client and hands it in; like it, every call runs under a timeout and fails as a named error.
import type Dockerode from 'dockerode';
import type { DockerImages, ImageInfo, PullProgressEvent } from '../images/docker-images.ts';
import type { RegistryCredentials } from '../images/registry-auth.ts';
import { ActivityWatch, followPullStream } from '../images/pull-stream.ts';
import { CannotPullContainerError, DockerTimeoutError, dockerMessage, dockerStatusCode } from './docker-errors.ts';
import { DOCKER_TIMEOUTS_MS, timed } from './docker-timeouts.ts';

export interface PullOptions {
  /** ECS_IMAGE_PULL_TIMEOUT: the whole pull. */
  timeoutMs: number;
  /** ECS_IMAGE_PULL_INACTIVITY_TIMEOUT: no message from Docker for this long cancels the pull. */
  inactivityTimeoutMs?: number;
  auth?: RegistryCredentials;
  onProgress?: (event: PullProgressEvent) => void;
}

/** Pulls `ref`; rejects with CannotPullContainerError (never quoting the credentials). */
export async function pullWithDockerode(client: () => Promise<Dockerode>, ref: string, o: PullOptions): Promise<void> {
  const idle = new AbortController();
  const watch = new ActivityWatch(o.inactivityTimeoutMs, () => idle.abort());
  try {
    const docker = await client();
    await timed(o.timeoutMs, async (timeoutSignal) => {
      const signal = AbortSignal.any([timeoutSignal, idle.signal]);
      // dockerode moves `authconfig` into the X-Registry-Auth header, never into the URL.
      const stream = (await docker.pull(ref, { abortSignal: signal, ...(o.auth ? { authconfig: o.auth } : {}) })) as NodeJS.ReadableStream;
      watch.touch();
      await followPullStream(stream, { signal, onEvent: (e) => { watch.touch(); o.onProgress?.(e); } });
    });
  } catch (err) {
    if (idle.signal.aborted) {
      throw new CannotPullContainerError(`inactivity time exceeded timeout while pulling image ${ref} (no progress for ${seconds(o.inactivityTimeoutMs!)})`, { cause: err });
    }
    if (err instanceof DockerTimeoutError) {
      throw new CannotPullContainerError(`pull of ${ref} timed out after ${seconds(o.timeoutMs)}`, { cause: err });
    }
    throw new CannotPullContainerError(dockerMessage(err), { cause: err });
  } finally {
    watch.stop();
  }
}

export class DockerodeImages implements DockerImages {
  #client: () => Promise<Dockerode>;

  constructor(client: () => Promise<Dockerode>) {
    this.#client = client;
  }

  async inspectImage(ref: string): Promise<ImageInfo | undefined> {
    const docker = await this.#client();
    try {
      const i = await timed(DOCKER_TIMEOUTS_MS.inspectImage, (abortSignal) =>
        docker.getImage(ref).inspect({ abortSignal } as never) as unknown as Promise<Dockerode.ImageInspectInfo>);
      return { id: i.Id, repoTags: i.RepoTags ?? [], size: i.Size, created: Date.parse(i.Created) || 0 };
    } catch (err) {
      if (dockerStatusCode(err) === 404) return undefined;
      throw err;
    }
  }

  async listImages(): Promise<ImageInfo[]> {
    const docker = await this.#client();
    const list = await timed(DOCKER_TIMEOUTS_MS.listImages, (abortSignal) => docker.listImages({ abortSignal } as never) as unknown as Promise<Dockerode.ImageInfo[]>);
    return list.map((i) => ({
      id: i.Id,
      repoTags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      size: i.Size,
      created: i.Created * 1000,
    }));
  }

  async removeImage(ref: string): Promise<boolean> {
    const docker = await this.#client();
    try {
      await timed(DOCKER_TIMEOUTS_MS.removeImage, (abortSignal) => docker.getImage(ref).remove({ abortSignal } as never) as unknown as Promise<unknown>);
      return true;
    } catch (err) {
      if (dockerStatusCode(err) === 404) return false;
      throw new Error(`cannot remove image ${ref}: ${dockerMessage(err)}`, { cause: err });
    }
  }

  async containerImageIds(): Promise<Set<string>> {
    const docker = await this.#client();
    const list = await timed(DOCKER_TIMEOUTS_MS.list, (abortSignal) => docker.listContainers({ all: true, abortSignal } as never) as unknown as Promise<Dockerode.ContainerInfo[]>);
    return new Set(list.map((c) => c.ImageID));
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(3).replace(/0+$/, '')}s`;
}
