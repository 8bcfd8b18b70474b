// `dockhand agent | control-plane | local`: the one place that may import both sides. Each
// command is imported only when it runs, so `dockhand agent` never loads (or pays memory for)
// control-plane code, nor `control-plane` the agent's (README, "Memory"). bin/dockhand.js runs
// it; `node src/cli.ts …` works too (development: no compile cache, see bin/dockhand.js).
import { parseArgs } from 'node:util';
import { AGENT_VERSION } from './agent/version.ts';
import { deferUnusedDockerodeModules } from './cli/deferred-modules.ts';

const USAGE = `Usage: dockhand <command> [options]

Commands:
  local           control plane + agent in one process, on this host's Docker (the quick start)
                    --api-port N   ECS API port (env DOCKHAND_API_PORT, default 51600)
                    --data-dir D   state directory (env DOCKHAND_DATA_DIR, default ~/.dockhand):
                                   the agent's in D/agent, the control plane's in D/control-plane
  agent           the ECS container agent alone (config: ECS_* env and /etc/ecs/ecs.config)
  control-plane   the ECS API, ACS and TCS endpoints alone
                    --host H       listen address (env DOCKHAND_API_HOST, default 127.0.0.1)
                    --port N       port (env DOCKHAND_API_PORT, default 51600)
                    --data-dir D   state directory (env DOCKHAND_DATA_DIR, default ~/.dockhand):
                                   clusters, instances, tasks in D/control-plane/control-plane.db
                    --ephemeral    keep state in memory only (lost on exit)
  version         print the version
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      'api-port': { type: 'string' },
      'data-dir': { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      ephemeral: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  switch (command) {
    case 'local': {
      deferUnusedDockerodeModules();
      const { runLocalCommand } = await import('./cli/local-command.ts');
      return runLocalCommand({ apiPort: values['api-port'], dataDir: values['data-dir'] });
    }
    case 'agent': {
      deferUnusedDockerodeModules();
      const { runAgentCommand } = await import('./cli/agent-command.ts');
      return runAgentCommand();
    }
    case 'control-plane': {
      const { runControlPlaneCommand } = await import('./cli/control-plane-command.ts');
      return runControlPlaneCommand({ host: values.host, port: values.port, dataDir: values['data-dir'], ephemeral: values.ephemeral });
    }
    case 'version':
    case '--version':
      process.stdout.write(`dockhand ${AGENT_VERSION}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`dockhand: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

/** Runs a command; exits with its code when it is not 0 (a started agent or control plane keeps
 *  the process alive until a signal). */
export function run(argv: string[]): void {
  main(argv).then(
    (code) => { if (code !== 0) process.exit(code); },
    (err: Error) => {
      process.stderr.write(`dockhand: ${err.message}\n`);
      process.exit(1);
    },
  );
}

if (import.meta.main) run(process.argv.slice(2));
