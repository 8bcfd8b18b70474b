// Task placement as a pure function: instances' registered resources minus what their live tasks
// hold, filtered by the task's required attributes and placement constraints, then narrowed by
// the placement strategies in order. No I/O and no clock; randomness comes in as a parameter, so
// tests can pin it and the result depends only on the arguments.
import type { Resource } from '@aws-sdk/client-ecs';
import type { ResourceNeeds } from '../model/records.ts';
import type { Constraint, Strategy } from './placement-spec.ts';
import { evaluateQuery, type QueryFacts } from './query-eval.ts';

/** The Failure reasons RunTask answers, as ECS words them (constraint ones are whole sentences). */
export const PLACEMENT_FAILURE_REASONS = [
  'ATTRIBUTE', 'MemberOf placement constraint unsatisfied.', 'DistinctInstance placement constraint unsatisfied.',
  'AGENT', 'RESOURCE:CPU', 'RESOURCE:MEMORY', 'RESOURCE:GPU', 'RESOURCE:PORTS', 'RESOURCE:PORTS_UDP',
] as const;
export type PlacementFailureReason = (typeof PLACEMENT_FAILURE_REASONS)[number];

export interface PlacementCandidate {
  arn: string;
  registeredResources: Resource[];
  /** Whether the agent's ACS session is up: a task sent to a disconnected agent never starts. */
  connected: boolean;
  /** Needs of the tasks already live on the instance (not STOPPED); a single summed entry will do. */
  reserved: ResourceNeeds[];
  /** Names of the instance's attributes (absent: not checked). */
  attributes?: string[];
  /** What memberOf expressions and attribute spreads read; needed only when they are used. */
  facts?: Omit<QueryFacts, 'taskGroups'>;
  /** Tasks meant to run on the instance, per task group (distinctInstance, spread, task:group). */
  groups?: ReadonlyMap<string, number>;
}

export interface PlacementResult {
  /** One instance ARN per placed task, in order. */
  placements: string[];
  /** One failure per instance, with the first requirement it failed, when not every task was placed. */
  failures: Array<{ arn: string; reason: PlacementFailureReason; detail?: string }>;
}

export interface PlacementRequest {
  candidates: PlacementCandidate[];
  needs: ResourceNeeds;
  count: number;
  random: () => number;
  requiredAttributes?: string[];
  constraints?: Constraint[];
  /** Applied in order, each narrowing the previous one's choice; default: random. */
  strategies?: Strategy[];
  /** The task group of the tasks being placed (spread and distinctInstance count this group). */
  group?: string;
}

function integer(resources: Resource[], name: string): number {
  const r = resources.find((x) => x.name === name);
  return r?.integerValue ?? r?.longValue ?? (r?.doubleValue !== undefined ? Math.floor(r.doubleValue) : 0);
}

function stringSet(resources: Resource[], name: string): string[] {
  return resources.find((x) => x.name === name)?.stringSetValue ?? [];
}

/** What is left on an instance, in the shape of DescribeContainerInstances' remainingResources:
 *  CPU/MEMORY left, and PORTS/PORTS_UDP as the set of ports now taken (reserved + tasks'). */
export function remainingResources(registered: Resource[], reserved: ResourceNeeds[]): Resource[] {
  const used = sumNeeds(reserved);
  const ports = (name: string, extra: number[]) => [...new Set([...stringSet(registered, name), ...extra.map(String)])];
  return [
    { name: 'CPU', type: 'INTEGER', integerValue: integer(registered, 'CPU') - used.cpu },
    { name: 'MEMORY', type: 'INTEGER', integerValue: integer(registered, 'MEMORY') - used.memory },
    { name: 'PORTS', type: 'STRINGSET', stringSetValue: ports('PORTS', used.ports) },
    { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: ports('PORTS_UDP', used.portsUdp) },
  ];
}

export function sumNeeds(list: readonly ResourceNeeds[]): ResourceNeeds {
  const out: ResourceNeeds = { cpu: 0, memory: 0, ports: [], portsUdp: [] };
  for (const n of list) {
    out.cpu += n.cpu;
    out.memory += n.memory;
    out.ports.push(...n.ports);
    out.portsUdp.push(...n.portsUdp);
    if (n.gpus) out.gpus = (out.gpus ?? 0) + n.gpus;
  }
  return out;
}

/** One candidate while a request is placed: what is left on it and its group counts, updated as
 *  earlier copies of the same request land on it. */
interface Working {
  c: PlacementCandidate;
  cpu: number;
  memory: number;
  gpus: number;
  ports: readonly number[];
  portsUdp: readonly number[];
  /** The candidate's own map until a copy lands here (copied then: the caller's is never changed). */
  groups: ReadonlyMap<string, number>;
}

const NO_GROUPS: ReadonlyMap<string, number> = new Map();

function working(c: PlacementCandidate): Working {
  // One summed entry (what the index gives) is used as it is: nothing here writes into it.
  const used = c.reserved.length === 1 ? c.reserved[0]! : sumNeeds(c.reserved);
  return {
    c,
    cpu: integer(c.registeredResources, 'CPU') - used.cpu,
    memory: integer(c.registeredResources, 'MEMORY') - used.memory,
    // An instance offers the GPUs it registered (a STRINGSET of GPU ids); Dockhand agents register none.
    gpus: stringSet(c.registeredResources, 'GPU').length - (used.gpus ?? 0),
    ports: used.ports,
    portsUdp: used.portsUdp,
    groups: c.groups ?? NO_GROUPS,
  };
}

function portsClash(wanted: number[], registered: string[], taken: readonly number[]): boolean {
  if (wanted.length === 0) return false;
  if (new Set(wanted).size < wanted.length) return true;
  return wanted.some((p) => taken.includes(p) || registered.includes(String(p)));
}

function unmet(w: Working, o: PlacementRequest): { reason: PlacementFailureReason; detail?: string } | undefined {
  const c = w.c;
  // ECS filters on attributes and constraints first: a task that may not go there is never a
  // resource problem of that instance.
  const required = o.requiredAttributes ?? [];
  if (c.attributes && required.some((a) => !c.attributes!.includes(a))) {
    return { reason: 'ATTRIBUTE', detail: missingAttributesDetail(c, required) };
  }
  for (const k of o.constraints ?? []) {
    if (k.type !== 'memberOf') continue;
    const facts = { ...defaultFacts(c), ...c.facts, taskGroups: [...w.groups].filter(([, n]) => n > 0).map(([g]) => g) };
    if (!evaluateQuery(k.query, facts)) return { reason: 'MemberOf placement constraint unsatisfied.', detail: `expression: ${k.expression}` };
  }
  if (o.constraints?.some((k) => k.type === 'distinctInstance') && (w.groups.get(o.group ?? '') ?? 0) > 0) {
    return { reason: 'DistinctInstance placement constraint unsatisfied.' };
  }
  if (!c.connected) return { reason: 'AGENT' };
  if (o.needs.cpu > w.cpu) return { reason: 'RESOURCE:CPU' };
  if (o.needs.memory > w.memory) return { reason: 'RESOURCE:MEMORY' };
  if ((o.needs.gpus ?? 0) > w.gpus) return { reason: 'RESOURCE:GPU' };
  if (portsClash(o.needs.ports, stringSet(c.registeredResources, 'PORTS'), w.ports)) return { reason: 'RESOURCE:PORTS' };
  if (portsClash(o.needs.portsUdp, stringSet(c.registeredResources, 'PORTS_UDP'), w.portsUdp)) return { reason: 'RESOURCE:PORTS_UDP' };
  return undefined;
}

function defaultFacts(c: PlacementCandidate): Omit<QueryFacts, 'taskGroups'> {
  return { attributes: (c.attributes ?? []).map((name) => ({ name })), ec2InstanceId: '', agentConnected: c.connected, registeredAt: 0, runningTasksCount: 0 };
}

/** The first requirement the instance fails for `needs`, or undefined when the task fits. */
export function firstUnmet(candidate: PlacementCandidate, needs: ResourceNeeds, requiredAttributes: string[] = []): PlacementFailureReason | undefined {
  return unmet(working(candidate), { candidates: [], needs, count: 1, random: Math.random, requiredAttributes })?.reason;
}

function pick<T>(list: T[], random: () => number): T {
  // No draw for a single choice, so each placed copy takes one draw at most.
  if (list.length === 1) return list[0]!;
  return list[Math.min(list.length - 1, Math.floor(random() * list.length))]!;
}

function attributeValue(c: PlacementCandidate, name: string): string | undefined {
  const a = c.facts?.attributes.find((x) => x.name === name);
  if (a) return a.value ?? '';
  return c.attributes?.includes(name) ? '' : undefined;
}

/** Narrows the fitting instances rule by rule; ties left at the end are broken at random. */
function choose(fitting: Working[], all: Working[], o: PlacementRequest): Working {
  let pool = fitting;
  const group = o.group ?? '';
  for (const s of o.strategies?.length ? o.strategies : [{ type: 'random' } as const]) {
    if (pool.length <= 1) break;
    switch (s.type) {
      case 'random':
        pool = [pick(pool, o.random)];
        break;
      case 'binpack': {
        // Least of the resource left (all of these still have enough for the task).
        const left = (w: Working) => (s.field === 'cpu' ? w.cpu : w.memory);
        const least = Math.min(...pool.map(left));
        pool = pool.filter((w) => left(w) === least);
        break;
      }
      case 'spread': {
        // Tasks of the group per field value, over every candidate instance (not only the
        // fitting ones): a zone whose only instance is full still holds its tasks.
        const bucket = (w: Working) => (s.field.kind === 'instance' ? w.c.arn : `=${attributeValue(w.c, s.field.name) ?? ''}`);
        const counts = new Map<string, number>();
        for (const w of all) counts.set(bucket(w), (counts.get(bucket(w)) ?? 0) + (w.groups.get(group) ?? 0));
        const fewest = Math.min(...pool.map((w) => counts.get(bucket(w))!));
        pool = pool.filter((w) => counts.get(bucket(w)) === fewest);
        break;
      }
      default: {
        const never: never = s;
        throw new Error(`unknown strategy ${JSON.stringify(never)}`);
      }
    }
  }
  return pick(pool, o.random);
}

/**
 * Places `count` copies of a task one at a time, each among the instances it fits, counting
 * earlier copies as reserved and as members of the group (so spread and distinctInstance see them).
 */
export function placeTasks(o: PlacementRequest): PlacementResult {
  const all = o.candidates.map(working);
  const placements: string[] = [];
  for (let i = 0; i < o.count; i++) {
    const fitting = all.filter((w) => unmet(w, o) === undefined);
    if (fitting.length === 0) break;
    const chosen = choose(fitting, all, o);
    chosen.cpu -= o.needs.cpu;
    chosen.memory -= o.needs.memory;
    chosen.gpus -= o.needs.gpus ?? 0;
    chosen.ports = [...chosen.ports, ...o.needs.ports];
    chosen.portsUdp = [...chosen.portsUdp, ...o.needs.portsUdp];
    const group = o.group ?? '';
    chosen.groups = new Map(chosen.groups).set(group, (chosen.groups.get(group) ?? 0) + 1);
    placements.push(chosen.c.arn);
  }
  if (placements.length === o.count) return { placements, failures: [] };
  const failures = all.flatMap((w): PlacementResult['failures'] => {
    const u = unmet(w, o);
    return u ? [{ arn: w.c.arn, ...u }] : [];
  });
  return { placements, failures };
}

/** The Failure `detail` for reason ATTRIBUTE: which required attributes the instance lacks. */
export function missingAttributesDetail(c: PlacementCandidate, required: string[]): string {
  return `missing attribute(s): ${required.filter((a) => !c.attributes?.includes(a)).join(', ')}`;
}
