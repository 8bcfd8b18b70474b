// The agent's durable state, as a port: small key/value facts (container-instance ARN, last ACS
// seqNum), the task checkpoint (each task's engine state as JSON) and the outbox of state changes
// waiting for the control plane's acknowledgement.

export interface OutboxEntry {
  id: number;
  taskArn: string;
  /** The SubmitTaskStateChange body, as JSON. */
  body: string;
}

export interface AgentStore {
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  /** Appends a change; entries of one task are delivered in `id` order. */
  enqueue(taskArn: string, body: string): number;
  /** The oldest pending entry of each task, oldest first. */
  outboxHeads(): OutboxEntry[];
  /** Removes an entry once the control plane has acknowledged it. */
  acknowledge(id: number): void;
  outboxSize(): number;
  /** Saves a task's state; with `outboxBody`, queues that change in the same transaction, so a
   *  crash leaves either both (the change queued and the state that says it was sent) or neither. */
  saveTask(taskArn: string, state: string, outboxBody?: string): void;
  /** Every saved task, oldest first. */
  loadTasks(): Array<{ taskArn: string; state: string }>;
  deleteTask(taskArn: string): void;
  /** Images the agent pulled (images/image-tracker.ts), as JSON per image id. */
  saveImage(imageId: string, state: string): void;
  loadImages(): Array<{ imageId: string; state: string }>;
  deleteImage(imageId: string): void;
  close(): void;
}

export const META_CONTAINER_INSTANCE_ARN = 'containerInstanceArn';
export const META_CLUSTER = 'cluster';
