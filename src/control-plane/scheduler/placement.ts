// Task placement as a pure function: instances' registered resources minus what their live tasks
// hold, against what a new task needs. No I/O and no clock; randomness comes in as a parameter,
// so tests can pin it and the result depends only on the arguments.
import type { Resource } from '@aws-sdk/client-ecs';
import type { ResourceNeeds } from '../model/records.ts';

export const PLACEMENT_FAILURE_REASONS = ['ATTRIBUTE', 'RESOURCE:CPU', 'RESOURCE:MEMORY', 'RESOURCE:PORTS', 'RESOURCE:PORTS_UDP', 'AGENT'] as const;
export type PlacementFailureReason = (typeof PLACEMENT_FAILURE_REASONS)[number];

export interface PlacementCandidate {
  arn: string;
  registeredResources: Resource[];
  /** Whether the agent's ACS session is up: a task sent to a disconnected agent never starts. */
  connected: boolean;
  /** Needs of the tasks already live on the instance (not STOPPED). */
  reserved: ResourceNeeds[];
  /** Names of the attributes the instance registered with (absent: not checked). */
  attributes?: string[];
}

export interface PlacementResult {
  /** One instance ARN per placed task, in order. */
  placements: string[];
  /** One failure per instance, with the first resource it lacked, when not every task was placed. */
  failures: Array<{ arn: string; reason: PlacementFailureReason; detail?: string }>;
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

function sumNeeds(list: ResourceNeeds[]): ResourceNeeds {
  return list.reduce<ResourceNeeds>(
    (acc, n) => ({ cpu: acc.cpu + n.cpu, memory: acc.memory + n.memory, ports: [...acc.ports, ...n.ports], portsUdp: [...acc.portsUdp, ...n.portsUdp] }),
    { cpu: 0, memory: 0, ports: [], portsUdp: [] },
  );
}

/** The first resource the instance lacks for `needs`, or undefined when the task fits. */
export function firstUnmet(candidate: PlacementCandidate, needs: ResourceNeeds, requiredAttributes: string[] = []): PlacementFailureReason | undefined {
  // ECS filters on attributes before anything else: a missing capability is never a resource problem.
  if (candidate.attributes && requiredAttributes.some((a) => !candidate.attributes!.includes(a))) return 'ATTRIBUTE';
  if (!candidate.connected) return 'AGENT';
  const left = remainingResources(candidate.registeredResources, candidate.reserved);
  if (needs.cpu > integer(left, 'CPU')) return 'RESOURCE:CPU';
  if (needs.memory > integer(left, 'MEMORY')) return 'RESOURCE:MEMORY';
  const taken = new Set(stringSet(left, 'PORTS'));
  if (needs.ports.some((p) => taken.has(String(p))) || new Set(needs.ports).size < needs.ports.length) return 'RESOURCE:PORTS';
  const takenUdp = new Set(stringSet(left, 'PORTS_UDP'));
  if (needs.portsUdp.some((p) => takenUdp.has(String(p))) || new Set(needs.portsUdp).size < needs.portsUdp.length) return 'RESOURCE:PORTS_UDP';
  return undefined;
}

/**
 * Places `count` copies of a task, one at a time, each on a random instance among those it fits
 * (ECS's default for RunTask without a strategy), counting earlier copies as reserved.
 */
export function placeTasks(o: { candidates: PlacementCandidate[]; needs: ResourceNeeds; count: number; random: () => number; requiredAttributes?: string[] }): PlacementResult {
  const candidates = o.candidates.map((c) => ({ ...c, reserved: [...c.reserved] }));
  const placements: string[] = [];
  for (let i = 0; i < o.count; i++) {
    const fitting = candidates.filter((c) => firstUnmet(c, o.needs, o.requiredAttributes) === undefined);
    if (fitting.length === 0) break;
    const chosen = fitting[Math.min(fitting.length - 1, Math.floor(o.random() * fitting.length))]!;
    chosen.reserved.push(o.needs);
    placements.push(chosen.arn);
  }
  if (placements.length === o.count) return { placements, failures: [] };
  const failures = candidates.flatMap((c): PlacementResult['failures'] => {
    const reason = firstUnmet(c, o.needs, o.requiredAttributes);
    if (reason !== 'ATTRIBUTE') return reason ? [{ arn: c.arn, reason }] : [];
    return [{ arn: c.arn, reason, detail: missingAttributesDetail(c, o.requiredAttributes ?? []) }];
  });
  return { placements, failures };
}

/** The Failure `detail` for reason ATTRIBUTE: which required attributes the instance lacks. */
export function missingAttributesDetail(c: PlacementCandidate, required: string[]): string {
  return `missing attribute(s): ${required.filter((a) => !c.attributes?.includes(a)).join(', ')}`;
}
