// The Docker engine restarted under the agent (CI form: 6 tasks, one restart; the long form,
// 3 restarts × 20 tasks, is test/chaos). Runs on a private second dockerd, never the host's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_IMAGE } from './durability-harness.ts';
import { runDockerRestart } from './docker-restart-scenario.ts';
import { secondDockerdUnavailable, startSecondDockerd, type SecondDockerd } from './second-dockerd.ts';

const unavailable = secondDockerdUnavailable();

const variants = [
  // Plus 2 tasks launched while it stops / is down: one gets started and killed, one fails to pull.
  { liveRestore: false, crash: false, launching: 2, title: 'dockerd restarted (SIGTERM) under running and launching tasks' },
  { liveRestore: false, crash: true, launching: 0, title: 'dockerd killed (SIGKILL) and restarted under running tasks' },
  { liveRestore: true, crash: false, launching: 0, title: 'dockerd restarted under running tasks (--live-restore)' },
];

for (const { liveRestore, crash, launching, title } of variants) {
  describe(title, () => {
    let dockerd: SecondDockerd | undefined;
    beforeAll(async () => {
      // Never skipped: a host that cannot run the proof fails it, with the reason.
      if (unavailable) throw new Error(`cannot run a second dockerd here: ${unavailable}`);
      dockerd = await startSecondDockerd({ liveRestore });
      await dockerd.loadImage(TEST_IMAGE);
    });
    // Even when the test failed: stop that dockerd and remove its dirs.
    afterAll(async () => {
      await dockerd?.cleanup();
      // The host's engine must not have lost its bridge to our private one.
      expect(dockerd?.hostBridgeIntact() ?? true, 'the host docker0 is untouched').toBe(true);
    }, 90_000);

    const claim = liveRestore
      ? 'the containers survive: nothing new is reported, the agent reconnects, and StopTask still works'
      : 'every task is reported STOPPED once with its exit code, and the reconnected agent still runs tasks';
    it(claim, async () => {
      await runDockerRestart(dockerd!, { tasks: 6, restarts: 1, liveRestore, crash, launchingDuringRestart: launching });
    }, 150_000);
  });
}
