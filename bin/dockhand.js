#!/usr/bin/env node
// Entry point. Dockhand is TypeScript run directly by Node 24's type stripping (no build step), so
// an older Node gets a clear message instead of a syntax error. `npm run` puts the project's own
// Node 24 (the `node` package) first on PATH.
import module from 'node:module';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `dockhand needs Node 24 or later (this is ${process.version}).\n` +
    'Run it through npm (npm run local, npm test) or with node_modules/.bin/node, which is Node 24.\n',
  );
  process.exit(1);
}

// Type stripping loads a WebAssembly TypeScript parser that stays in the process for good (the
// agent's RSS measured 107 MB with it, 71 MB without). Node's compile cache keeps each file's stripped source and compiled code on disk (keyed by
// content, so an edited file is simply stripped again); a process that finds every module there
// never loads the parser. NODE_COMPILE_CACHE picks the directory (default: <tmpdir>/node-compile-cache).
const cache = module.enableCompileCache();
const { compileCacheStatus } = module.constants;
if (process.argv[2] === 'agent' && (cache.status === compileCacheStatus.ENABLED || cache.status === compileCacheStatus.ALREADY_ENABLED)) {
  // The long-lived agent should not be the process that misses: a short-lived child with the same
  // Node flags loads the agent's modules first, filling the cache (quick when it is already full).
  // (ALREADY_ENABLED: NODE_COMPILE_CACHE is set and the child inherits it; `directory` would be
  // the versioned subdirectory inside it.)
  const env = cache.status === compileCacheStatus.ENABLED ? { ...process.env, NODE_COMPILE_CACHE: cache.directory } : process.env;
  // Same V8 flags (the cache is per flag set), but no profiler or inspector of its own.
  const flags = process.execArgv.filter((f) => !/^--(cpu-prof|heap-prof|prof|inspect|heapsnapshot|diagnostic-dir)/.test(f));
  spawnSync(process.execPath, [...flags, fileURLToPath(new URL('./warm-compile-cache.js', import.meta.url))], { stdio: 'ignore', env });
}

const { run } = await import('../src/cli.ts');
run(process.argv.slice(2));
