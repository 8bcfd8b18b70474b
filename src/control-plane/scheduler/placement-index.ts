// What placement reads on every RunTask, kept in memory so a placement costs O(instances) and no
// store reads: each cluster's container instances, what the live tasks on each instance hold,
// and the custom attributes put on them. It is a decorator of the store: every write that goes
// through `indexedStore(...)` updates it, it is rebuilt from the store when created (so it is
// right after a restart, with either store), and again after a unit of work that threw (the
// store rolled its writes back, so the index must forget them too).
import type { Attribute } from '@aws-sdk/client-ecs';
import type { DesiredStatus } from '../../protocol/statuses.ts';
import type { ContainerInstanceRecord, ResourceNeeds, TaskLastStatus, TaskRecord } from '../model/records.ts';
import type { ControlPlaneStore } from '../store/control-plane-store.ts';
import { sumNeeds } from './placement.ts';

/** Document kind of a custom attribute (PutAttributes): key `${instanceArn}|${name}`, parent cluster. */
export const ATTRIBUTE_KIND = 'attribute';
export interface CustomAttributeRecord {
  targetId: string;
  name: string;
  value?: string;
}
export const attributeKey = (instanceArn: string, name: string) => `${instanceArn}|${name}`;

interface LiveTask {
  group: string;
  needs: ResourceNeeds;
  lastStatus: TaskLastStatus;
  desiredStatus: DesiredStatus;
}

export interface InstanceUsage {
  /** Summed needs of the tasks on the instance that are not yet STOPPED. */
  used: ResourceNeeds;
  runningTasksCount: number;
  pendingTasksCount: number;
  /** Tasks meant to run (desired status not STOPPED), per task group. */
  groups: ReadonlyMap<string, number>;
}

export interface PlacementIndex {
  /** A cluster's instances in registration order, every status. Shared: do not mutate. */
  instancesOf(clusterName: string): readonly ContainerInstanceRecord[];
  usageOf(instanceArn: string): InstanceUsage;
  /** Attributes put with PutAttributes on the instance, in the order they were first put. */
  customAttributesOf(instanceArn: string): readonly Attribute[];
}

const NO_PORTS: readonly number[] = Object.freeze([]);
const EMPTY_USAGE: InstanceUsage = { used: { cpu: 0, memory: 0, ports: [], portsUdp: [] }, runningTasksCount: 0, pendingTasksCount: 0, groups: new Map() };

/** The live tasks of one instance, and their sums once asked for (dropped on any change). */
interface InstanceTasks {
  tasks: Map<string, LiveTask>;
  usage?: InstanceUsage;
}

class Index implements PlacementIndex {
  #instances = new Map<string, Map<string, ContainerInstanceRecord>>(); // cluster → arn → record
  #byInstance = new Map<string, InstanceTasks>(); // instance → its live tasks
  #home = new Map<string, InstanceTasks>(); // task → where it is listed
  #custom = new Map<string, Map<string, Attribute>>(); // instance → name → attribute
  #customLists = new Map<string, readonly Attribute[]>(); // customAttributesOf's answers, dropped on change
  // Thousands of records repeat the same few strings (attribute names, task groups); each one
  // parsed from the store is a copy of its own. Keeping one copy keeps the index small.
  #strings = new Map<string, string>();

  constructor(store: ControlPlaneStore) {
    for (const cluster of store.listClusters()) {
      for (const ci of store.listContainerInstances(cluster.name)) this.putInstance(ci);
      for (const t of store.listLiveTasks(cluster.name)) this.putTask(t);
      for (const a of store.listDocuments<CustomAttributeRecord>(ATTRIBUTE_KIND, cluster.name)) this.putAttribute(a);
    }
  }

  #intern(s: string): string {
    const known = this.#strings.get(s);
    if (known !== undefined) return known;
    this.#strings.set(s, s);
    return s;
  }

  instancesOf(clusterName: string): readonly ContainerInstanceRecord[] {
    return [...(this.#instances.get(clusterName)?.values() ?? [])];
  }

  usageOf(instanceArn: string): InstanceUsage {
    const holder = this.#byInstance.get(instanceArn);
    if (!holder || holder.tasks.size === 0) return EMPTY_USAGE;
    if (holder.usage) return holder.usage;
    const tasks = [...holder.tasks.values()];
    const groups = new Map<string, number>();
    for (const t of tasks) if (t.desiredStatus !== 'STOPPED') groups.set(t.group, (groups.get(t.group) ?? 0) + 1);
    holder.usage = {
      used: sumNeeds(tasks.map((t) => t.needs)),
      runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
      pendingTasksCount: tasks.filter((t) => t.lastStatus === 'PENDING').length,
      groups,
    };
    return holder.usage;
  }

  customAttributesOf(instanceArn: string): readonly Attribute[] {
    // The same array until the instance's custom attributes change, so callers can cache on it.
    let list = this.#customLists.get(instanceArn);
    if (!list) this.#customLists.set(instanceArn, (list = Object.freeze([...(this.#custom.get(instanceArn)?.values() ?? [])])));
    return list;
  }

  putInstance(ci: ContainerInstanceRecord): void {
    let byArn = this.#instances.get(ci.clusterName);
    if (!byArn) this.#instances.set(ci.clusterName, (byArn = new Map()));
    const copy = structuredClone(ci);
    copy.attributes = copy.attributes.map((a) => ({
      ...a, ...(a.name !== undefined ? { name: this.#intern(a.name) } : {}), ...(a.value !== undefined ? { value: this.#intern(a.value) } : {}),
    }));
    byArn.set(ci.arn, copy);
  }

  putTask(t: TaskRecord): void {
    const previous = this.#home.get(t.arn);
    if (previous) {
      previous.tasks.delete(t.arn);
      delete previous.usage;
      this.#home.delete(t.arn);
    }
    if (t.lastStatus === 'STOPPED') return; // STOPPED tasks hold nothing
    let holder = this.#byInstance.get(t.containerInstanceArn);
    if (!holder) this.#byInstance.set(t.containerInstanceArn, (holder = { tasks: new Map() }));
    const needs: ResourceNeeds = {
      cpu: t.needs.cpu,
      memory: t.needs.memory,
      ports: t.needs.ports.length ? [...t.needs.ports] : (NO_PORTS as number[]),
      portsUdp: t.needs.portsUdp.length ? [...t.needs.portsUdp] : (NO_PORTS as number[]),
      ...(t.needs.gpus ? { gpus: t.needs.gpus } : {}),
    };
    holder.tasks.set(t.arn, { group: this.#intern(t.group), needs, lastStatus: t.lastStatus, desiredStatus: t.desiredStatus });
    delete holder.usage;
    this.#home.set(t.arn, holder);
  }

  putAttribute(a: CustomAttributeRecord): void {
    let byName = this.#custom.get(a.targetId);
    if (!byName) this.#custom.set(a.targetId, (byName = new Map()));
    byName.set(a.name, { name: a.name, ...(a.value !== undefined ? { value: a.value } : {}), targetType: 'container-instance', targetId: a.targetId });
    this.#customLists.delete(a.targetId);
  }

  deleteAttribute(key: string): void {
    const bar = key.lastIndexOf('|');
    this.#custom.get(key.slice(0, bar))?.delete(key.slice(bar + 1));
    this.#customLists.delete(key.slice(0, bar));
  }
}

const indexes = new WeakMap<ControlPlaneStore, Index>();

/** The store, with the placement index kept up to date by every write made through it. Give
 *  every writer this one (the API handlers and the ACS gateway), never the inner store. */
export function indexedStore(inner: ControlPlaneStore): ControlPlaneStore {
  let index = new Index(inner);
  let depth = 0;
  const store: ControlPlaneStore = {
    ...inner,
    putContainerInstance(ci) {
      inner.putContainerInstance(ci);
      index.putInstance(ci);
    },
    putTask(t) {
      inner.putTask(t);
      index.putTask(t);
    },
    putDocument(kind, key, parent, record) {
      inner.putDocument(kind, key, parent, record);
      if (kind === ATTRIBUTE_KIND) index.putAttribute(record as CustomAttributeRecord);
    },
    deleteDocument(kind, key) {
      const deleted = inner.deleteDocument(kind, key);
      if (kind === ATTRIBUTE_KIND) index.deleteAttribute(key);
      return deleted;
    },
    atomically(body) {
      depth++;
      try {
        return inner.atomically(body);
      } catch (err) {
        // The store undid the unit's writes (SQLite) or kept them (memory): either way the store
        // is the truth, and a rebuild agrees with it.
        if (depth === 1) indexes.set(store, (index = new Index(inner)));
        throw err;
      } finally {
        depth--;
      }
    },
  };
  indexes.set(store, index);
  return store;
}

/** The index of a store made by indexedStore; for any other store, one built from it now (right,
 *  but a full read: only tests that hand-build a context should ever get there). */
export function placementIndexOf(store: ControlPlaneStore): PlacementIndex {
  return indexes.get(store) ?? new Index(store);
}
