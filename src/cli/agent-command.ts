// `dockhand agent`: the agent alone, configured like the real one.
import { loadAgentConfig, ConfigError } from '../agent/config/agent-config.ts';
import { createLogger } from '../agent/logger.ts';
import { startAgent } from '../agent/main.ts';
import { RegistrationError } from '../agent/register/register-instance.ts';
import { onShutdown } from './shutdown.ts';

/** Exit code for errors a restart cannot fix (bad config, rejected registration): the systemd
 *  unit lists it in RestartPreventExitStatus so the service does not loop. */
export const EXIT_TERMINAL = 5;

export async function runAgentCommand(): Promise<number> {
  let config;
  try {
    config = loadAgentConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`dockhand agent: ${err.message}\n`);
      return EXIT_TERMINAL;
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, { ...(config.logFile ? { file: config.logFile } : {}) });
  try {
    const agent = await startAgent({ config, logger });
    onShutdown(() => agent.close(), (m) => logger.info(m));
    return 0;
  } catch (err) {
    logger.fatal({ err: { name: (err as Error).name, message: (err as Error).message } }, 'agent failed to start');
    return err instanceof RegistrationError ? EXIT_TERMINAL : 1;
  }
}
