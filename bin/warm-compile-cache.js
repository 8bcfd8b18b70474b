// Run by bin/dockhand.js before `dockhand agent` starts (NODE_COMPILE_CACHE set): loads, without
// running, every module the agent process loads, so each is stripped and compiled into the cache
// here and not in the agent. Import-only: no module here has side effects at load.
import module from 'node:module';

await import('../src/cli.ts');
await import('../src/cli/agent-command.ts');
module.flushCompileCache();
