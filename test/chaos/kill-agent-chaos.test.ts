// The long form of test/agent-durability/kill-agent.test.ts: 20 SIGKILLs of the agent while 20
// tasks start and stop. Minutes long, so excluded from `npm test`; run it with `npm run test:chaos`
// (CHAOS_SEED=<n> replays a failing run).
import { describe, expect, it } from 'vitest';
import { runKillChaos } from '../agent-durability/kill-chaos.ts';

const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);

describe('chaos: 20 agent kills × 20 tasks', () => {
  it(`no duplicate, every task in its desired state, every transition once (seed ${SEED})`, async () => {
    const r = await runKillChaos({ tasks: 20, kills: 20, seed: SEED, settleMs: 120_000 });
    expect(r.kills).toBe(20);
    expect(r.submitted).toBeGreaterThanOrEqual(20);
  }, 600_000);
});
