// PURE: container ordering (a container definition's dependsOn), resolved the way the real agent's
// dependencygraph does, plus what it leaves hanging: a dependency that can never be met fails the
// container (and, for an essential one, the task) with a reason instead of waiting forever.
//   START     the dependency is RUNNING (or ran and exited)
//   COMPLETE  the dependency exited, any exit code
//   SUCCESS   the dependency exited with 0
//   HEALTHY   the dependency's Docker health check passes
// A dependency's startTimeout (seconds, 0/absent: none) bounds how long after it started the
// COMPLETE/SUCCESS/HEALTHY waits last, as in the real agent; START never times out. On the way
// down the order is reversed: a container stops only once those that depend on it stopped.
import type { AcsContainer, AcsContainerDependency, AcsTask } from '../../protocol/acs-messages.ts';
import { assertNever, type ContainerEntry } from './container-state.ts';
import { hasHealthCheck, type TaskState } from './task-state.ts';

export type DependencyVerdict =
  | { kind: 'ready' }
  /** `until`: when a startTimeout runs out, so the engine looks again then. */
  | { kind: 'wait'; until?: number }
  | { kind: 'fail'; reason: string };

const CONDITIONS: ReadonlyArray<AcsContainerDependency['condition']> = ['START', 'COMPLETE', 'SUCCESS', 'HEALTHY'];

/** The first problem that makes the task's ordering impossible before anything runs: a dependency
 *  on an unknown container or on itself, a cycle (through dependsOn, links or volumesFrom, which
 *  all order creation), HEALTHY on a container without a health check, COMPLETE/SUCCESS on an
 *  essential container (its exit would stop the task first), or an unknown condition. */
export function invalidDependencies(task: AcsTask): { container: string; reason: string } | undefined {
  const byName = new Map(task.containers.map((c) => [c.name, c]));
  for (const c of task.containers) {
    for (const d of c.dependsOn ?? []) {
      const fail = (why: string) => ({ container: c.name, reason: `container "${c.name}" ${why}` });
      const target = byName.get(d.containerName);
      if (!CONDITIONS.includes(d.condition)) return fail(`has a dependsOn condition "${String(d.condition)}" that is not one of ${CONDITIONS.join(', ')}`);
      if (!target) return fail(`depends on "${d.containerName}", which is not in the task`);
      if (target.name === c.name) return fail('depends on itself');
      if (d.condition === 'HEALTHY' && !hasHealthCheck(target)) return fail(`waits for "${target.name}" to be HEALTHY, but "${target.name}" has no health check`);
      if ((d.condition === 'COMPLETE' || d.condition === 'SUCCESS') && (target.essential ?? true)) {
        return fail(`waits for "${target.name}" to ${d.condition === 'SUCCESS' ? 'exit successfully (SUCCESS)' : 'exit (COMPLETE)'}, but "${target.name}" is essential: its exit stops the task`);
      }
    }
  }
  const cycle = findCycle(task.containers);
  if (cycle) return { container: cycle[0]!, reason: `containers depend on each other in a cycle: ${cycle.join(' → ')}` };
  return undefined;
}

/** Whether `c` may be created and started now, given its dependsOn and the other containers. */
export function dependencyVerdict(c: ContainerEntry, state: TaskState, now: number): DependencyVerdict {
  const def = definitionOf(state, c.name);
  let until: number | undefined;
  let waiting = false;
  for (const d of def?.dependsOn ?? []) {
    const dep = state.containers.find((x) => x.name === d.containerName);
    if (!dep) return { kind: 'fail', reason: dependencyReason(c.name, d, 'is not in the task') };
    const v = conditionVerdict(d, dep);
    if (v.kind === 'fail') return { kind: 'fail', reason: dependencyReason(c.name, d, v.why) };
    if (v.kind === 'met') continue;
    waiting = true;
    // The startTimeout only runs while the dependency runs, and only before `c` exists.
    const timeoutSec = definitionOf(state, dep.name)?.startTimeout ?? 0;
    const k = dep.known;
    if (d.condition !== 'START' && timeoutSec > 0 && k.status === 'RUNNING' && k.startedAt !== undefined && (c.known.status === 'NONE' || c.known.status === 'PULLED')) {
      const deadline = k.startedAt + timeoutSec * 1000;
      if (now >= deadline) return { kind: 'fail', reason: dependencyReason(c.name, d, `did not get there within its startTimeout of ${timeoutSec}s`) };
      until = until === undefined ? deadline : Math.min(until, deadline);
    }
  }
  if (!waiting) return { kind: 'ready' };
  return until === undefined ? { kind: 'wait' } : { kind: 'wait', until };
}

/** Containers that depend on `c` and have not stopped yet: `c` is stopped after them. A container
 *  whose stop failed for good no longer holds anyone up. */
export function shutdownBlockers(c: ContainerEntry, state: TaskState): string[] {
  return state.containers
    .filter((x) => x.name !== c.name && x.known.status !== 'STOPPED' && !x.stopFailed)
    .filter((x) => (definitionOf(state, x.name)?.dependsOn ?? []).some((d) => d.containerName === c.name))
    .map((x) => x.name);
}

type ConditionVerdict = { kind: 'met' } | { kind: 'pending' } | { kind: 'fail'; why: string };

function conditionVerdict(d: AcsContainerDependency, dep: ContainerEntry): ConditionVerdict {
  const k = dep.known;
  const stopped = k.status === 'STOPPED';
  // An exit code means it ran; a STOPPED container without one never started (pull, create or start failed).
  const neverRan = stopped && k.exitCode === undefined;
  if (neverRan) return { kind: 'fail', why: `will never start${k.reason ? ` (${k.reason})` : ''}` };
  switch (d.condition) {
    case 'START':
      return k.status === 'RUNNING' || stopped ? { kind: 'met' } : { kind: 'pending' };
    case 'COMPLETE':
      return stopped ? { kind: 'met' } : { kind: 'pending' };
    case 'SUCCESS':
      if (!stopped) return { kind: 'pending' };
      return k.exitCode === 0 ? { kind: 'met' } : { kind: 'fail', why: `exited with code ${k.exitCode}` };
    case 'HEALTHY':
      if (stopped) return { kind: 'fail', why: 'stopped before it became healthy' };
      return k.status === 'RUNNING' && dep.health === 'HEALTHY' ? { kind: 'met' } : { kind: 'pending' };
    default:
      return assertNever(d.condition);
  }
}

function dependencyReason(target: string, d: AcsContainerDependency, why: string): string {
  const goal = { START: 'start', COMPLETE: 'exit (COMPLETE)', SUCCESS: 'exit successfully (SUCCESS)', HEALTHY: 'be HEALTHY' }[d.condition] ?? d.condition;
  return `CannotStartContainerError: dependency of container "${target}" cannot be met: it waits for "${d.containerName}" to ${goal}, which ${why}`;
}

function definitionOf(state: TaskState, name: string): AcsContainer | undefined {
  return state.definition.containers.find((d) => d.name === name);
}

/** A cycle through creation-ordering edges, as the names along it (first repeated at the end). */
function findCycle(containers: readonly AcsContainer[]): string[] | undefined {
  const names = new Set(containers.map((c) => c.name));
  const edges = new Map(containers.map((c) => [c.name, [
    ...(c.dependsOn ?? []).map((d) => d.containerName),
    ...(c.links ?? []).map((l) => l.split(':')[0] ?? ''),
    ...(c.volumesFrom ?? []).map((v) => v.sourceContainer ?? ''),
  ].filter((n) => names.has(n) && n !== c.name)]));
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const at = path.indexOf(name);
    if (at >= 0) return [...path.slice(at), name];
    if (done.has(name)) return undefined;
    path.push(name);
    for (const next of edges.get(name) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    done.add(name);
    return undefined;
  };
  for (const c of containers) {
    const found = visit(c.name);
    if (found) return found;
  }
  return undefined;
}
