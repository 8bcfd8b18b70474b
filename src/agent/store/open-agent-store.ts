// Opens the agent's sqlite state, surviving a corrupt file (real agent #1301): the damaged
// agent.db (and its -wal/-shm) is moved aside as agent.db.corrupt-<timestamp> — kept for a
// post-mortem, never deleted — and a fresh, empty database takes its place. The agent then starts
// without its checkpoint; containers it already runs are found again by their Docker labels and
// names (reconcile/), so nothing is launched twice.
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptStoreError, SqliteAgentStore } from './sqlite-agent-store.ts';

export interface OpenedStore {
  store: SqliteAgentStore;
  /** Set when the previous file was corrupt: why, and where it now lies. */
  recovered?: { error: string; movedTo: string };
}

export function openAgentStore(dataDir: string, now: () => Date = () => new Date()): OpenedStore {
  try {
    return { store: new SqliteAgentStore(dataDir) };
  } catch (err) {
    if (!(err instanceof CorruptStoreError) || dataDir === ':memory:') throw err;
    const path = join(dataDir, 'agent.db');
    const movedTo = `${path}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(path, movedTo);
    for (const side of ['-wal', '-shm']) {
      if (existsSync(path + side)) renameSync(path + side, movedTo + side);
    }
    return { store: new SqliteAgentStore(dataDir), recovered: { error: err.message, movedTo } };
  }
}
