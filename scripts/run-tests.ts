// `npm test`: type-check, run the whole vitest suite, and close with the line CI reads:
// "N passed, N failed" — counted from vitest's own JSON report, not from our own bookkeeping.
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync, rmSync } from 'node:fs';

const report = 'test-results/vitest.json';
mkdirSync('test-results', { recursive: true });
rmSync(report, { force: true });

const tsc = spawnSync('tsc', ['-p', '.'], { stdio: 'inherit' });
if (tsc.status !== 0) process.stdout.write('type check failed\n');

const extra = process.argv.slice(2);
const vitest = spawnSync('vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra], {
  stdio: 'inherit',
});

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const r = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number; numFailedTestSuites: number;
  };
  passed = r.numPassedTests;
  // A file that fails to load has no test results of its own; count it as a failure.
  failed = r.numFailedTests + (r.numFailedTestSuites > 0 && r.numFailedTests === 0 ? r.numFailedTestSuites : 0);
  skipped = r.numPendingTests + r.numTodoTests;
} catch {
  failed = 1;
}
if (tsc.status !== 0) failed += 1;
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 || vitest.status !== 0 || tsc.status !== 0 ? 1 : 0);
