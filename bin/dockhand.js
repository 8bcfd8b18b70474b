#!/usr/bin/env node
// Entry point. Dockhand is TypeScript run directly by Node 24's type stripping (no build step), so
// an older Node gets a clear message instead of a syntax error. `npm run` puts the project's own
// Node 24 (the `node` package) first on PATH.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `dockhand needs Node 24 or later (this is ${process.version}).\n` +
    'Run it through npm (npm run local, npm test) or with node_modules/.bin/node, which is Node 24.\n',
  );
  process.exit(1);
}
await import('../src/cli.ts');
