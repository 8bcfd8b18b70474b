// What this agent calls itself on the wire: in the ACS query (agentVersion, agentHash) and in
// every ECS request's user agent.
import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

export const AGENT_NAME = 'Dockhand';
export const AGENT_VERSION: string = pkg.version;
/** The commit this build came from when the packager sets it; the real agent sends its git hash. */
export const AGENT_HASH: string = process.env.DOCKHAND_COMMIT ?? 'unknown';
