// AgentStore on node:sqlite. WAL with synchronous=FULL: a change is on disk before we act on it or
// report it, so a crash (kill -9, power loss) loses nothing that was acknowledged to anyone.
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentStore, OutboxEntry } from './agent-store.ts';

export class StoreError extends Error {
  override name = 'StoreError';
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_arn TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_task ON outbox (task_arn, id);
`;

export class SqliteAgentStore implements AgentStore {
  readonly path: string;
  #db: DatabaseSync;

  /** Opens (or creates) `<dataDir>/agent.db`; `:memory:` for a throwaway store. */
  constructor(dataDir: string) {
    this.path = dataDir === ':memory:' ? dataDir : join(dataDir, 'agent.db');
    if (dataDir !== ':memory:') mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    try {
      this.#db = new DatabaseSync(this.path);
      this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
      this.#db.exec(SCHEMA);
    } catch (err) {
      throw new StoreError(`cannot open agent state ${this.path}: ${(err as Error).message}`, { cause: err });
    }
  }

  getMeta(key: string): string | undefined {
    const row = this.#db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  enqueue(taskArn: string, body: string): number {
    const r = this.#db.prepare('INSERT INTO outbox (task_arn, body, created_at) VALUES (?, ?, ?)')
      .run(taskArn, body, Date.now());
    return Number(r.lastInsertRowid);
  }

  outboxHeads(): OutboxEntry[] {
    const rows = this.#db.prepare(
      'SELECT o.id, o.task_arn, o.body FROM outbox o JOIN (SELECT MIN(id) AS id FROM outbox GROUP BY task_arn) h ON h.id = o.id ORDER BY o.id',
    ).all() as Array<{ id: number; task_arn: string; body: string }>;
    return rows.map((r) => ({ id: Number(r.id), taskArn: r.task_arn, body: r.body }));
  }

  acknowledge(id: number): void {
    this.#db.prepare('DELETE FROM outbox WHERE id = ?').run(id);
  }

  outboxSize(): number {
    const row = this.#db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number };
    return Number(row.n);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
