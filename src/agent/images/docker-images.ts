// The image half of the Docker port that image tracking and cleanup need, as plain data. Kept apart
// from DockerEngine (which the task engine depends on) so that the task engine's port stays small;
// DockerodeEngine implements both.

export interface ImageInfo {
  /** "sha256:…" */
  id: string;
  /** "repo:tag" names; empty for an untagged image. */
  repoTags: string[];
  size: number;
  /** Epoch ms of the image's creation (its config), 0 when Docker does not say. */
  created: number;
}

/** One message of Docker's pull stream (POST /images/create). */
export interface PullProgressEvent {
  status?: string;
  /** The layer (short digest) the message is about, or the tag for whole-image messages. */
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
}

export interface DockerImages {
  /** undefined when Docker has no such image. */
  inspectImage(ref: string): Promise<ImageInfo | undefined>;
  listImages(): Promise<ImageInfo[]>;
  /** Untags `ref` (a name) or deletes it (an id); never forced, so Docker refuses an image a
   *  container uses. Resolves false when the image was already gone. */
  removeImage(ref: string): Promise<boolean>;
  /** Image ids of every container Docker has, running or not. */
  containerImageIds(): Promise<Set<string>>;
}
