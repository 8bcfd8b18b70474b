// The long form of test/agent-durability/docker-restart.test.ts: a private second dockerd
// restarted 3 times under 20 running tasks each time, plus 4 tasks launched while it stops or is
// down; then 3 more times killed with SIGKILL. Minutes long, so excluded from `npm test`; run it
// with `npm run test:chaos` (CHAOS_VERBOSE=1 prints what happened to each launching task).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_IMAGE } from '../agent-durability/durability-harness.ts';
import { runDockerRestart } from '../agent-durability/docker-restart-scenario.ts';
import { secondDockerdUnavailable, startSecondDockerd, type SecondDockerd } from '../agent-durability/second-dockerd.ts';

const unavailable = secondDockerdUnavailable();

for (const crash of [false, true]) describe(`chaos: dockerd ${crash ? 'killed (SIGKILL)' : 'restarted'} 3 times under 20 tasks`, () => {
  let dockerd: SecondDockerd | undefined;
  beforeAll(async () => {
    // Never skipped: a host that cannot run the proof fails it, with the reason.
    if (unavailable) throw new Error(`cannot run a second dockerd here: ${unavailable}`);
    dockerd = await startSecondDockerd();
    await dockerd.loadImage(TEST_IMAGE);
  });
  afterAll(async () => {
    await dockerd?.cleanup();
    expect(dockerd?.hostBridgeIntact() ?? true, 'the host docker0 is untouched').toBe(true);
  }, 90_000);

  it('each restart: every task reported STOPPED once with its exit code, no duplicate container, the agent still serving', async () => {
    await runDockerRestart(dockerd!, { tasks: 20, restarts: 3, liveRestore: false, crash, launchingDuringRestart: crash ? 0 : 4 });
  }, 600_000);
});
