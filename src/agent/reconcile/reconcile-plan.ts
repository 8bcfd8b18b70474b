// PURE: after a restart, what a checkpointed task's containers really are, given what Docker shows
// (Nomad's restore-then-reconcile). Each container is looked up by its recorded Docker id, else by
// the name decided before `docker create`, else by its ECS labels (task ARN + container name), so
// a container created just before a kill -9, whose id never reached the checkpoint, is adopted
// rather than created again. Known status never moves backwards; running containers are adopted
// as they are (never restarted, never stopped); exits that happened while the agent was down
// become STOPPED with their exit codes, and nextStep reports them once.
import type { NetworkBinding } from '../../protocol/state-change.ts';
import type { ContainerHealthStatus } from '../../protocol/tcs-health.ts';
import { assertNever, dockerIdOf, statusRank, type ContainerEntry, type ContainerKnown } from '../engine/container-state.ts';
import type { TaskState } from '../engine/task-state.ts';

/** One ECS-labelled container as Docker shows it now. */
export interface ObservedContainer {
  id: string;
  name: string;
  taskArn: string;
  containerName: string;
  running: boolean;
  exitCode: number;
  startedAt?: number;
  finishedAt?: number;
  networkBindings: NetworkBinding[];
  /** Docker's health-check status, when it runs one. */
  health?: ContainerHealthStatus;
}

export interface ReconciledTask {
  state: TaskState;
  /** Containers whose status changed from what the checkpoint said, for the log. */
  changes: Array<{ container: string; from: ContainerKnown['status']; to: ContainerKnown['status']; dockerId?: string }>;
}

/** Docker containers whose container died with the process are gone; the reason says so. */
export const VANISHED_REASON = 'DockerStateError: the container no longer exists in Docker';

export function reconcileTask(saved: TaskState, observed: readonly ObservedContainer[]): ReconciledTask {
  const mine = observed.filter((o) => o.taskArn === saved.arn);
  const changes: ReconciledTask['changes'] = [];
  const containers = saved.containers.map((c): ContainerEntry => {
    const { inFlight: _dropped, ...entry } = c; // no Docker call survives a restart
    const found = findContainer(entry, mine);
    const known = reconcileKnown(entry.known, found);
    if (known.status !== entry.known.status || dockerIdOf(known) !== dockerIdOf(entry.known)) {
      const dockerId = dockerIdOf(known);
      changes.push({ container: entry.name, from: entry.known.status, to: known.status, ...(dockerId ? { dockerId } : {}) });
    }
    // Health may have changed while the agent was away; only checked containers carry one.
    const health = entry.health !== undefined && known.status === 'RUNNING' && found ? { health: found.health ?? 'UNKNOWN' } : {};
    return { ...entry, known, ...health };
  });
  return { state: { ...saved, containers }, changes };
}

/** By recorded id, else by decided name, else by labels. */
export function findContainer(entry: ContainerEntry, mine: readonly ObservedContainer[]): ObservedContainer | undefined {
  const id = dockerIdOf(entry.known);
  if (id) return mine.find((o) => o.id === id);
  return mine.find((o) => o.name === entry.dockerName) ?? mine.find((o) => o.containerName === entry.name);
}

function reconcileKnown(k: ContainerKnown, found: ObservedContainer | undefined): ContainerKnown {
  switch (k.status) {
    case 'STOPPED':
      return k; // final: already decided (and maybe already reported)
    case 'NONE':
    case 'PULLED':
      // Not found: never created (or never got that far); the engine continues from here.
      return found ? observedKnown(found) : k;
    case 'CREATED':
    case 'RUNNING': {
      if (!found) return { status: 'STOPPED', dockerId: k.dockerId, reason: VANISHED_REASON };
      const now = observedKnown(found);
      return statusRank(now.status) >= statusRank(k.status) ? now : k;
    }
    default:
      return assertNever(k);
  }
}

function observedKnown(o: ObservedContainer): ContainerKnown {
  if (o.running) {
    return { status: 'RUNNING', dockerId: o.id, networkBindings: o.networkBindings, ...(o.startedAt !== undefined ? { startedAt: o.startedAt } : {}) };
  }
  // Created but never started: the engine starts it (desired RUNNING) or leaves it (STOPPED).
  if (o.startedAt === undefined) return { status: 'CREATED', dockerId: o.id };
  return { status: 'STOPPED', dockerId: o.id, exitCode: o.exitCode, ...(o.finishedAt !== undefined ? { finishedAt: o.finishedAt } : {}) };
}

/** A task with nothing left to do or to say: stopped, reported, and no container left in Docker. */
export function isFinished(state: TaskState, observed: readonly ObservedContainer[]): boolean {
  return state.sent === 'STOPPED'
    && state.containers.every((c) => c.known.status === 'STOPPED')
    && !observed.some((o) => o.taskArn === state.arn);
}
