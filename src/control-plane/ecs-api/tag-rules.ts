// The rules ECS applies to resource tags, wherever they arrive (TagResource, the `tags` of every
// Create*/Register*/RunTask call), and the tags a new task is born with (propagation and the
// aws:ecs:* managed tags). Pure: callers hand in what they read, and get tags or an error back.
import type { Tag } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../errors.ts';
import type { TaskDefinitionRecord } from '../model/records.ts';
import type { Input } from './context.ts';
import { optList, optString } from './input.ts';

export const MAX_TAGS = 50;
const MAX_KEY = 128;
const MAX_VALUE = 256;
/** Letters, numbers, spaces and + - = . _ : / @ (the characters ECS documents as allowed). */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const RESERVED = /^aws:/i;

/** True for keys ECS keeps for itself (aws:…): they cannot be set, changed or removed by callers,
 *  and do not count against the 50-tag limit. */
export const isReservedKey = (key: string): boolean => RESERVED.test(key);

const countsTowardLimit = (tags: Tag[]): number => tags.filter((t) => !isReservedKey(t.key ?? '')).length;

/** Checks tags a caller sent: shape, lengths, characters, unique keys, no aws: prefix. */
export function validateTags(tags: unknown[], field = 'tags'): Tag[] {
  const seen = new Set<string>();
  for (const t of tags) {
    if (typeof t !== 'object' || t === null || Array.isArray(t)) throw invalidParameter(`Each item of ${field} must be a tag structure with a key and a value.`);
    const { key, value } = t as { key?: unknown; value?: unknown };
    if (typeof key !== 'string' || key.length === 0) throw invalidParameter('Tag keys must be 1 to 128 characters long.');
    if (value !== undefined && value !== null && typeof value !== 'string') throw invalidParameter(`The value of tag '${key}' must be a string.`);
    if (key.length > MAX_KEY) throw invalidParameter(`Tag key '${key.slice(0, 20)}…' is longer than ${MAX_KEY} characters.`);
    if (typeof value === 'string' && value.length > MAX_VALUE) throw invalidParameter(`The value of tag '${key}' is longer than ${MAX_VALUE} characters.`);
    if (!TAG_TEXT.test(key) || (typeof value === 'string' && !TAG_TEXT.test(value))) {
      throw invalidParameter(`Tag '${key}' has characters ECS does not allow: use letters, numbers, spaces and + - = . _ : / @.`);
    }
    if (isReservedKey(key) || (typeof value === 'string' && RESERVED.test(value))) {
      throw invalidParameter(`Tag '${key}': keys and values beginning with 'aws:' are reserved for AWS use.`);
    }
    if (seen.has(key)) throw invalidParameter(`Tag key '${key}' appears more than once; each tag key must be unique.`);
    seen.add(key);
  }
  if (countsTowardLimit(tags as Tag[]) > MAX_TAGS) throw invalidParameter(`A resource can have at most ${MAX_TAGS} tags.`);
  return (tags as Tag[]).map((t) => (typeof t.value === 'string' ? { key: t.key, value: t.value } : { key: t.key }));
}

/** The optional `tags` of a create call, validated (empty when absent). */
export function readTags(input: Input, field = 'tags'): Tag[] {
  return validateTags(optList<unknown>(input, field) ?? [], field);
}

/** Tags after TagResource: new keys added, existing keys overwritten, the rest kept. */
export function mergeTags(current: Tag[], added: Tag[]): Tag[] {
  const merged = new Map(current.map((t) => [t.key ?? '', t]));
  for (const t of added) merged.set(t.key ?? '', t);
  const result = [...merged.values()];
  if (countsTowardLimit(result) > MAX_TAGS) {
    throw invalidParameter(`A resource can have at most ${MAX_TAGS} tags; this request would leave it with ${countsTowardLimit(result)}.`);
  }
  return result;
}

/** Tags after UntagResource (absent keys are ignored, as ECS does). */
export function removeTags(current: Tag[], keys: string[]): Tag[] {
  const drop = new Set(keys);
  return current.filter((t) => !drop.has(t.key ?? ''));
}

export type PropagateTags = 'TASK_DEFINITION' | 'SERVICE' | 'NONE';

/** RunTask/StartTask/CreateService `propagateTags`; `allowService` is false for standalone tasks,
 *  where ECS refuses SERVICE. */
export function readPropagateTags(input: Input, allowService: boolean): PropagateTags | undefined {
  const value = optString(input, 'propagateTags');
  if (value === undefined) return undefined;
  if (value !== 'TASK_DEFINITION' && value !== 'SERVICE' && value !== 'NONE') {
    throw invalidParameter(`Invalid propagateTags '${value}': use TASK_DEFINITION${allowService ? ', SERVICE' : ''} or NONE.`);
  }
  if (value === 'SERVICE' && !allowService) {
    throw invalidParameter('propagateTags SERVICE is only valid for tasks started by a service; a standalone task can propagate TASK_DEFINITION tags.');
  }
  return value;
}

export interface NewTaskTagsSpec {
  /** The tags the caller asked for (already validated). */
  requested: Tag[];
  propagateTags?: PropagateTags | undefined;
  taskDefinition: TaskDefinitionRecord;
  /** The service's tags, for propagateTags SERVICE (services helper). */
  serviceTags?: Tag[];
  /** enableECSManagedTags: ECS adds aws:ecs:clusterName (and aws:ecs:serviceName for service tasks). */
  managed?: { clusterName: string; serviceName?: string } | undefined;
}

/**
 * The tags a new task is created with. Propagated tags come first and the caller's own tags win
 * over a propagated tag with the same key; managed tags (aws:ecs:…) are added last and never count
 * against the 50-tag limit. Shared by RunTask/StartTask and the service scheduler.
 */
export function tagsForNewTask(spec: NewTaskTagsSpec): Tag[] {
  const propagated = spec.propagateTags === 'TASK_DEFINITION' ? spec.taskDefinition.tags
    : spec.propagateTags === 'SERVICE' ? (spec.serviceTags ?? []) : [];
  const tags = mergeTags(propagated, spec.requested);
  if (spec.managed) {
    tags.push({ key: 'aws:ecs:clusterName', value: spec.managed.clusterName });
    if (spec.managed.serviceName) tags.push({ key: 'aws:ecs:serviceName', value: spec.managed.serviceName });
  }
  return tags;
}
