// Preloaded (`node --import`) into a `dockhand agent` process by agent-footprint.test.ts: records
// every module file the process loads, and on SIGUSR2 writes them, with Node's own built-in module
// list, to $DOCKHAND_LOADED_MODULES_FILE.
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';

const files = new Set();
registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:')) files.add(new URL(url).pathname);
    return nextLoad(url, context);
  },
});
process.on('SIGUSR2', () => {
  writeFileSync(process.env.DOCKHAND_LOADED_MODULES_FILE, JSON.stringify({ files: [...files], builtins: process.moduleLoadList }));
});
