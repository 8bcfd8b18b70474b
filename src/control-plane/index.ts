// Dockhand's ECS control plane: the ECS API, ACS and TCS on one HTTP port, state in a store.
import type { Logger } from 'pino';
import type { ArnScope } from '../protocol/arn.ts';
import { createAcsGateway } from './acs-gateway/acs-gateway.ts';
import type { ApiContext } from './ecs-api/context.ts';
import { createEcsApiHandler } from './ecs-api/router.ts';
import { createControlPlaneServer, listen } from './server.ts';
import { createMemoryStore } from './store/memory-store.ts';
import { createSqliteStore } from './store/sqlite-store.ts';
import { indexedStore } from './scheduler/placement-index.ts';
import { startServiceScheduler } from './services/scheduler.ts';
import { createTcsSink } from './tcs-sink.ts';
import { createTelemetryStore } from './telemetry-store.ts';

export interface ControlPlaneOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = ephemeral. */
  port?: number;
  /** Default us-east-1. */
  region?: string;
  /** Default '000000000000'. */
  accountId?: string;
  logger: Logger;
  /** ACS/TCS heartbeat period; default 20000 (what the real backend uses). */
  heartbeatIntervalMs?: number;
  /** An ACS connection whose heartbeat ack (or any frame) is this late is closed (1008);
   *  default 3 heartbeat intervals. */
  heartbeatTimeoutMs?: number;
  /** Period of the TaskManifestMessage sent to each connected agent; default 60000 (real ECS
   *  sends one about once a minute). */
  manifestIntervalMs?: number;
  /** Require SigV4-shaped Authorization on API calls and websocket upgrades; default true. */
  requireSignature?: boolean;
  /** Keep state in <dataDir>/control-plane.db (created if missing), so clusters, instances, tasks
   *  and un-acked ACS messages survive a restart. Absent: state lives in memory only. */
  dataDir?: string;
  /** Period of the service scheduler's reconcile pass (it also runs early on service calls and
   *  task state changes); default 1000. */
  serviceSchedulerIntervalMs?: number;
}

export interface RunningControlPlane {
  /** http://HOST:PORT */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startControlPlane(opts: ControlPlaneOptions): Promise<RunningControlPlane> {
  const host = opts.host ?? '127.0.0.1';
  const scope: ArnScope = { region: opts.region ?? 'us-east-1', accountId: opts.accountId ?? '000000000000' };
  const heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 20_000;
  const heartbeatTimeoutMs = opts.heartbeatTimeoutMs ?? 3 * heartbeatIntervalMs;
  const manifestIntervalMs = opts.manifestIntervalMs ?? 60_000;
  const requireSignature = opts.requireSignature ?? true;
  const logger = opts.logger;
  // Opened before anything listens: an unusable database fails the start, naming the file.
  // Wrapped so placement's in-memory index (built from the store here) sees every write.
  const store = indexedStore(opts.dataDir !== undefined ? createSqliteStore(opts.dataDir) : createMemoryStore());
  const now = () => Date.now();

  const telemetry = createTelemetryStore();
  const acs = createAcsGateway({ store, logger, scope, heartbeatIntervalMs, heartbeatTimeoutMs, manifestIntervalMs, requireSignature, now });
  const tcs = createTcsSink({ logger, heartbeatIntervalMs, requireSignature, now, telemetry });
  let url = '';
  const ctx: ApiContext = { store, scope, logger, baseUrl: () => url, acs, health: telemetry, now, random: Math.random };
  const server = createControlPlaneServer({ api: createEcsApiHandler(ctx, requireSignature), acs, tcs, telemetry: (arn) => telemetry.view(arn) });
  let port: number;
  try {
    port = await listen(server, host, opts.port ?? 0);
  } catch (err) {
    await acs.close();
    await tcs.close();
    store.close();
    throw err;
  }
  // A wildcard bind is reachable on loopback; advertise an address agents can dial.
  const advertised = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  url = `http://${advertised}:${port}`;
  logger.info({ url, region: scope.region, accountId: scope.accountId, dataDir: opts.dataDir ?? '(memory)' }, 'control plane started');
  const services = startServiceScheduler(ctx, opts.serviceSchedulerIntervalMs);

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= (async () => {
        services.stop();
        await acs.close();
        await tcs.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        store.close(); // last: nothing can write any more
      })();
      return closing;
    },
  };
}
