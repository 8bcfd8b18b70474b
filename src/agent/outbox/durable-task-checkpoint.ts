// The engine's TaskCheckpoint over the agent's sqlite store. A task state and the report it
// produced go into one transaction (saveTask), so "reported" can never be recorded without the
// report being queued, nor a report queued twice: after a crash, the state on disk says which
// reports exist, and the outbox holds exactly those not yet acknowledged.
import type { AgentStore } from '../store/agent-store.ts';
import { decodeTaskState, type TaskCheckpoint } from '../engine/task-checkpoint.ts';
import { outboxBody } from './state-outbox.ts';

export function durableTaskCheckpoint(store: AgentStore, cluster: string): TaskCheckpoint {
  return {
    save: (state, report) => store.saveTask(state.arn, JSON.stringify(state), report ? outboxBody(cluster, report) : undefined),
    load: () => store.loadTasks().map((row) => decodeTaskState(row.state)),
    remove: (taskArn) => store.deleteTask(taskArn),
  };
}
