// `dockhand control-plane`: the ECS API + ACS + TCS endpoints alone.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { cliLogger } from './cli-logger.ts';
import { startControlPlane } from '../control-plane/index.ts';
import { onShutdown, parsePort } from './shutdown.ts';

export const DEFAULT_API_PORT = 51600;

/** Dockhand's state directory: --data-dir, else DOCKHAND_DATA_DIR, else ~/.dockhand. */
export function stateDirectory(flag: string | undefined, env: Record<string, string | undefined>): string {
  return resolve(flag ?? env.DOCKHAND_DATA_DIR ?? join(homedir(), '.dockhand'));
}

/** Where the control plane keeps control-plane.db inside the state directory, for both
 *  `control-plane` and `local`, so either command finds the other's state. */
export function controlPlaneDataDir(stateDir: string): string {
  return join(stateDir, 'control-plane');
}

export async function runControlPlaneCommand(args: { host: string | undefined; port: string | undefined; dataDir: string | undefined; ephemeral: boolean | undefined }): Promise<number> {
  const logger = cliLogger('dockhand-control-plane');
  const host = args.host ?? process.env.DOCKHAND_API_HOST ?? '127.0.0.1';
  const port = parsePort(args.port ?? process.env.DOCKHAND_API_PORT, DEFAULT_API_PORT, '--port');
  const dataDir = args.ephemeral ? undefined : controlPlaneDataDir(stateDirectory(args.dataDir, process.env));
  const cp = await startControlPlane({
    host, port, logger,
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(process.env.DOCKHAND_ACCOUNT_ID ? { accountId: process.env.DOCKHAND_ACCOUNT_ID } : {}),
    ...(dataDir !== undefined ? { dataDir } : {}),
  });
  logger.info({ endpoint: cp.url, dataDir: dataDir ?? '(memory)' }, `ECS control plane listening on ${cp.url}`);
  onShutdown(() => cp.close(), (m) => logger.info(m));
  return 0;
}
