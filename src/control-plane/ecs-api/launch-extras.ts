// The RunTask/StartTask fields about a task's tags and ExecuteCommand, read in one place so that
// task-launch.ts takes them with one call: the caller's tags (validated), propagateTags
// TASK_DEFINITION, enableECSManagedTags, and enableExecuteCommand.
import type { Tag } from '@aws-sdk/client-ecs';
import type { ClusterRecord, TaskDefinitionRecord } from '../model/records.ts';
import type { Input } from './context.ts';
import { optBoolean } from './input.ts';
import { readPropagateTags, readTags, tagsForNewTask } from './tag-rules.ts';

export interface LaunchExtras {
  tags: Tag[];
  enableExecuteCommand?: true;
}

export function readLaunchExtras(input: Input, cluster: ClusterRecord, taskDefinition: TaskDefinitionRecord): LaunchExtras {
  const managed = optBoolean(input, 'enableECSManagedTags') ?? false;
  const tags = tagsForNewTask({
    requested: readTags(input),
    propagateTags: readPropagateTags(input, false),
    taskDefinition,
    managed: managed ? { clusterName: cluster.name } : undefined,
  });
  return { tags, ...(optBoolean(input, 'enableExecuteCommand') ? { enableExecuteCommand: true as const } : {}) };
}
