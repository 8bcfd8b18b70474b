// TagResource, UntagResource, ListTagsForResource for every taggable ECS resource: clusters, task
// definitions, tasks, container instances, services, task sets and capacity providers. Each kind
// keeps its tags on its own record; this module finds the record from the ARN and
// reads-modifies-writes its `tags` field.
import type { Tag } from '@aws-sdk/client-ecs';
import { parseArn, type ParsedArn } from '../../protocol/arn.ts';
import { clusterNotFound, invalidParameter, resourceNotFound } from '../errors.ts';
import { SERVICE_KIND, TASK_SET_KIND } from '../services/records.ts';
import type { ApiContext, Handler } from './context.ts';
import { optList, optStringList, reqString } from './input.ts';
import { CAPACITY_PROVIDER_KIND, isBuiltInCapacityProvider } from './capacity-provider-rules.ts';
import { isReservedKey, mergeTags, removeTags, validateTags } from './tag-rules.ts';

/** A tagged record found by ARN: its current tags and how to write new ones back. */
interface Tagged {
  tags: Tag[];
  save(tags: Tag[]): void;
}

/** Document kinds the services module owns, keyed by ARN. */
const DOCUMENT_KINDS: Record<string, string> = { service: SERVICE_KIND, 'task-set': TASK_SET_KIND };

function requireClusterOf(ctx: ApiContext, arn: ParsedArn): void {
  const name = arn.resource.split('/')[0] ?? '';
  const cluster = ctx.store.getCluster(name);
  if (!cluster || cluster.status !== 'ACTIVE') throw clusterNotFound();
}

function documentTagged(ctx: ApiContext, kind: string, key: string): Tagged | undefined {
  const doc = ctx.store.getDocument<{ tags?: Tag[] }>(kind, key);
  if (!doc) return undefined;
  // putDocument needs the parent: keep the one the owner chose (the cluster name for ARN-keyed
  // kinds, '' for account-wide ones).
  return {
    tags: doc.tags ?? [],
    save: (tags) => {
      const parent = kind === CAPACITY_PROVIDER_KIND ? '' : (parseArn(key)?.resource.split('/')[0] ?? '');
      ctx.store.putDocument(kind, key, parent, { ...doc, tags });
    },
  };
}

function findTagged(ctx: ApiContext, resourceArn: string): Tagged {
  const arn = parseArn(resourceArn);
  if (!arn || arn.service !== 'ecs') throw invalidParameter(`Invalid resourceArn '${resourceArn}': an ECS resource ARN is required.`);
  if (arn.region !== ctx.scope.region || arn.accountId !== ctx.scope.accountId) {
    throw resourceNotFound(`The resource ${resourceArn} is not in this account and region (${ctx.scope.accountId}, ${ctx.scope.region}).`);
  }
  const found = ((): Tagged | undefined => {
    switch (arn.resourceType) {
      case 'cluster': {
        const c = ctx.store.getCluster(arn.resource);
        if (!c || c.status !== 'ACTIVE') throw clusterNotFound();
        return { tags: c.tags, save: (tags) => ctx.store.putCluster({ ...c, tags }) };
      }
      case 'task-definition': {
        const colon = arn.resource.lastIndexOf(':');
        const td = colon > 0 ? ctx.store.getTaskDefinition(arn.resource.slice(0, colon), Number(arn.resource.slice(colon + 1))) : undefined;
        return td && { tags: td.tags, save: (tags) => ctx.store.putTaskDefinition({ ...td, tags }) };
      }
      case 'task': {
        requireClusterOf(ctx, arn);
        const t = ctx.store.getTask(resourceArn);
        return t && { tags: t.tags, save: (tags) => ctx.store.putTask({ ...t, tags }) };
      }
      case 'container-instance': {
        requireClusterOf(ctx, arn);
        const ci = ctx.store.getContainerInstance(resourceArn);
        return ci && { tags: ci.tags, save: (tags) => ctx.store.putContainerInstance({ ...ci, tags }) };
      }
      case 'service':
      case 'task-set':
        requireClusterOf(ctx, arn);
        return documentTagged(ctx, DOCUMENT_KINDS[arn.resourceType]!, resourceArn);
      case 'capacity-provider':
        if (isBuiltInCapacityProvider(arn.resource)) {
          throw invalidParameter(`The ${arn.resource} capacity provider is built in and cannot be tagged.`);
        }
        return documentTagged(ctx, CAPACITY_PROVIDER_KIND, arn.resource);
      default:
        throw invalidParameter(`Resources of type '${arn.resourceType}' cannot be tagged: tag clusters, task definitions, tasks, container instances, services, task sets or capacity providers.`);
    }
  })();
  if (!found) throw resourceNotFound(`The specified resource ${resourceArn} could not be found.`);
  return found;
}

const tagResource: Handler = (ctx, input) => {
  const resourceArn = reqString(input, 'resourceArn');
  const sent = optList<unknown>(input, 'tags');
  if (sent === undefined) throw invalidParameter('tags can not be blank.');
  const added = validateTags(sent);
  const target = findTagged(ctx, resourceArn);
  target.save(mergeTags(target.tags, added));
  ctx.logger.info({ resourceArn, keys: added.map((t) => t.key) }, 'resource tagged');
  return {};
};

const untagResource: Handler = (ctx, input) => {
  const resourceArn = reqString(input, 'resourceArn');
  const keys = optStringList(input, 'tagKeys');
  if (keys === undefined) throw invalidParameter('tagKeys can not be blank.');
  const reserved = keys.find(isReservedKey);
  if (reserved !== undefined) throw invalidParameter(`Tag '${reserved}': keys beginning with 'aws:' are reserved for AWS use and cannot be removed.`);
  const target = findTagged(ctx, resourceArn);
  target.save(removeTags(target.tags, keys));
  ctx.logger.info({ resourceArn, keys }, 'resource untagged');
  return {};
};

const listTagsForResource: Handler = (ctx, input) => ({ tags: findTagged(ctx, reqString(input, 'resourceArn')).tags });

export const tagHandlers: Record<string, Handler> = {
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
};
