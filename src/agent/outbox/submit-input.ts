// Wire body (epoch seconds) → SDK input (Date), so the SDK serializes the same JSON the real agent
// sends. Optional keys stay absent rather than null, as in the capture.
import type { SubmitTaskStateChangeCommandInput } from '@aws-sdk/client-ecs';
import type { TaskStateChangeRequest } from '../../protocol/state-change.ts';

const toDate = (s: number | undefined): Date | undefined => (s === undefined ? undefined : new Date(s * 1000));

export function toSubmitInput(b: TaskStateChangeRequest): SubmitTaskStateChangeCommandInput {
  const input: SubmitTaskStateChangeCommandInput = {
    cluster: b.cluster,
    containers: b.containers.map((c) => ({
      containerName: c.containerName,
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      ...(c.networkBindings?.length ? { networkBindings: c.networkBindings } : {}),
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.runtimeId ? { runtimeId: c.runtimeId } : {}),
      status: c.status,
    })),
    reason: b.reason,
    status: b.status,
    task: b.task,
  };
  const times = { pullStartedAt: toDate(b.pullStartedAt), pullStoppedAt: toDate(b.pullStoppedAt), executionStoppedAt: toDate(b.executionStoppedAt) };
  for (const [k, v] of Object.entries(times)) if (v) (input as Record<string, unknown>)[k] = v;
  return input;
}
