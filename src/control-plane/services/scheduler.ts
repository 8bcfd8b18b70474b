// The service scheduler: a periodic reconcile of every service that is not INACTIVE, plus an early
// pass whenever something relevant happens (a service call, a task state change) — a nudge.
// Everything it knows is in the store's documents, so after a control-plane restart it simply
// carries on from there. Passes are synchronous (the store is), so they never interleave with an
// API handler, and a pass writes a service or task set back only when it changed.
import type { ApiContext } from '../ecs-api/context.ts';
import type { ControlPlaneStore } from '../store/control-plane-store.ts';
import { reconcileEcsService } from './ecs-controller.ts';
import { reconcileExternalService } from './external-controller.ts';
import { SERVICE_KIND, TASK_SET_KIND, type ServiceRecord, type TaskSetRecord } from './records.ts';
import { scanCluster } from './task-scan.ts';

export interface ServiceScheduler {
  /** Runs a pass soon (coalesced: many nudges before it runs make one pass). */
  nudge(): void;
  /** Runs a pass now (tests, and the first pass after start). */
  runOnce(): void;
  stop(): void;
}

/** Default period of the reconcile pass. */
export const DEFAULT_SERVICE_SCHEDULER_INTERVAL_MS = 1000;

// Handlers reach the running scheduler through the store they share with it, so that nudging needs
// no new field on ApiContext.
const nudgers = new WeakMap<ControlPlaneStore, () => void>();

/** Asks the scheduler that works on this context's store (if one runs) for an early pass. */
export function nudgeServices(ctx: Pick<ApiContext, 'store'>): void {
  nudgers.get(ctx.store)?.();
}

export function startServiceScheduler(ctx: ApiContext, intervalMs = DEFAULT_SERVICE_SCHEDULER_INTERVAL_MS): ServiceScheduler {
  let stopped = false;
  let pending: NodeJS.Immediate | undefined;

  const runOnce = (): void => {
    if (stopped) return;
    for (const cluster of ctx.store.listClusters()) {
      if (cluster.status !== 'ACTIVE') continue;
      const services = ctx.store.listDocuments<ServiceRecord>(SERVICE_KIND, cluster.name).filter((s) => s.status !== 'INACTIVE');
      if (services.length === 0) continue;
      const scan = scanCluster(ctx, cluster.name, ctx.now());
      const taskSets = ctx.store.listDocuments<TaskSetRecord>(TASK_SET_KIND, cluster.name);
      for (const before of services) {
        try {
          reconcileOne(ctx, scan, before, taskSets.filter((s) => s.serviceArn === before.arn));
        } catch (err) {
          ctx.logger.error({ err, service: before.arn }, 'service reconcile failed');
        }
      }
    }
  };

  const nudge = (): void => {
    if (stopped || pending) return;
    pending = setImmediate(() => {
      pending = undefined;
      runOnce();
    });
  };

  const timer = setInterval(runOnce, intervalMs);
  timer.unref();
  nudgers.set(ctx.store, nudge);
  nudge();
  return {
    nudge,
    runOnce,
    stop() {
      stopped = true;
      clearInterval(timer);
      if (pending) clearImmediate(pending);
      if (nudgers.get(ctx.store) === nudge) nudgers.delete(ctx.store);
    },
  };
}

function reconcileOne(ctx: ApiContext, scan: ReturnType<typeof scanCluster>, before: ServiceRecord, sets: TaskSetRecord[]): void {
  const svc = structuredClone(before);
  if (svc.deploymentController === 'EXTERNAL') {
    const copies = sets.map((s) => structuredClone(s));
    const { keep, remove } = reconcileExternalService(scan, svc, copies);
    for (const set of keep) {
      const old = sets.find((s) => s.arn === set.arn);
      if (JSON.stringify(old) !== JSON.stringify(set)) ctx.store.putDocument(TASK_SET_KIND, set.arn, set.clusterName, set);
    }
    for (const arn of remove) ctx.store.deleteDocument(TASK_SET_KIND, arn);
  } else {
    reconcileEcsService(scan, svc);
  }
  if (JSON.stringify(svc) !== JSON.stringify(before)) ctx.store.putDocument(SERVICE_KIND, svc.arn, svc.clusterName, svc);
}
