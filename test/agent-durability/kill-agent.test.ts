// kill -9 of `dockhand agent` at random points while tasks start and stop (CI form: 3 kills,
// 6 tasks). The long form (20 × 20) is `npm run test:chaos`.
import { describe, expect, it } from 'vitest';
import { runKillChaos } from './kill-chaos.ts';

const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);

describe('agent killed with SIGKILL while tasks start and stop', () => {
  it(`no duplicate container, every task in its desired state, every transition reported once (seed ${SEED})`, async () => {
    const r = await runKillChaos({ tasks: 6, kills: 3, seed: SEED, settleMs: 30_000 });
    expect(r.kills).toBe(3);
    expect(r.submitted).toBeGreaterThanOrEqual(6);
  }, 90_000);
});
