// `dockhand control-plane`: the ECS API + ACS + TCS endpoints alone.
import { cliLogger } from './cli-logger.ts';
import { startControlPlane } from '../control-plane/index.ts';
import { onShutdown, parsePort } from './shutdown.ts';

export const DEFAULT_API_PORT = 51600;

export async function runControlPlaneCommand(args: { host: string | undefined; port: string | undefined }): Promise<number> {
  const logger = cliLogger('dockhand-control-plane');
  const host = args.host ?? process.env.DOCKHAND_API_HOST ?? '127.0.0.1';
  const port = parsePort(args.port ?? process.env.DOCKHAND_API_PORT, DEFAULT_API_PORT, '--port');
  const cp = await startControlPlane({
    host, port, logger,
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(process.env.DOCKHAND_ACCOUNT_ID ? { accountId: process.env.DOCKHAND_ACCOUNT_ID } : {}),
  });
  logger.info({ endpoint: cp.url }, `ECS control plane listening on ${cp.url}`);
  onShutdown(() => cp.close(), (m) => logger.info(m));
  return 0;
}
