// `dockhand local`: the control plane and an agent in one process, on this host's Docker. The
// agent talks to the control plane over the same HTTP and websocket wire a remote agent would use,
// so `local` exercises exactly what `agent` + `control-plane` do.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { cliLogger } from './cli-logger.ts';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { startControlPlane } from '../control-plane/index.ts';
import { loadAgentConfig } from '../agent/config/agent-config.ts';
import { createLogger } from '../agent/logger.ts';
import { startAgent } from '../agent/main.ts';
import { onShutdown, parsePort } from './shutdown.ts';
import { DEFAULT_API_PORT, controlPlaneDataDir, stateDirectory } from './control-plane-command.ts';

/** Credentials the local agent signs with; the local control plane checks the signature's shape only. */
const LOCAL_CREDENTIALS = { accessKeyId: 'AKIDDOCKHANDLOCAL', secretAccessKey: 'dockhand-local-not-a-secret' };

export interface LocalOptions {
  apiPort: string | undefined;
  dataDir: string | undefined;
  /** Tests pass their own env instead of process.env. */
  env?: Record<string, string | undefined>;
}

export interface RunningLocal {
  url: string;
  containerInstanceArn: string;
  close(): Promise<void>;
}

export async function startLocal(o: LocalOptions): Promise<RunningLocal> {
  const env = o.env ?? process.env;
  const dataDir = stateDirectory(o.dataDir, env);
  mkdirSync(dataDir, { recursive: true });
  const port = parsePort(o.apiPort ?? env.DOCKHAND_API_PORT, DEFAULT_API_PORT, '--api-port');
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const cpLogger = cliLogger('dockhand-control-plane', env.DOCKHAND_LOGLEVEL);
  // Durable, like the agent's state beside it: a restarted `local` still knows its clusters, tasks
  // and container instance, so the agent resumes with the same ARN.
  const cp = await startControlPlane({ host: '127.0.0.1', port, region, logger: cpLogger, dataDir: controlPlaneDataDir(dataDir) });
  try {
    const client = new ECSClient({ endpoint: cp.url, region, credentials: LOCAL_CREDENTIALS });
    await client.send(new CreateClusterCommand({ clusterName: 'default' }));
    client.destroy();
    const config = loadAgentConfig({
      // The user's ECS_* settings apply (stop timeout, pull behaviour, reserved ports …), but the
      // wiring to the local control plane is fixed, and /etc/ecs/ecs.config belongs to a real agent.
      ...env,
      ECS_AGENT_CONFIG_FILE_PATH: env.DOCKHAND_AGENT_CONFIG_FILE ?? '/dev/null/no-ecs.config' /* can never exist: /dev/null is a file */,
      ECS_CLUSTER: 'default',
      ECS_BACKEND_HOST: cp.url,
      AWS_REGION: region,
      ECS_EXTERNAL: 'true',
      ECS_DATADIR: join(dataDir, 'agent'),
    });
    const agent = await startAgent({ config, logger: createLogger(config.logLevel, { ...(config.logFile ? { file: config.logFile } : {}) }), credentials: LOCAL_CREDENTIALS });
    return {
      url: cp.url,
      containerInstanceArn: agent.containerInstanceArn,
      async close() {
        await agent.close();
        await cp.close();
      },
    };
  } catch (err) {
    await cp.close();
    throw err;
  }
}

export async function runLocalCommand(o: LocalOptions): Promise<number> {
  const local = await startLocal(o);
  const log = cliLogger('dockhand-local');
  log.info({ endpoint: local.url, containerInstanceArn: local.containerInstanceArn }, `Dockhand local is ready: ECS API at ${local.url}`);
  process.stderr.write(
    `\nDockhand local: ECS API at ${local.url} (cluster "default", one container instance on this host's Docker)\n` +
    `Try:  AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws ecs list-container-instances --endpoint-url ${local.url} --region ${process.env.AWS_REGION ?? 'us-east-1'}\n\n`,
  );
  onShutdown(() => local.close(), (m) => log.info(m));
  return 0;
}
