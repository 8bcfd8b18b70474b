// AgentStore on node:sqlite. WAL with synchronous=FULL: a change is on disk before we act on it or
// report it, so a crash (kill -9, power loss) loses nothing that was acknowledged to anyone.
// The schema evolves by numbered migrations recorded in PRAGMA user_version.
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentStore, OutboxEntry } from './agent-store.ts';

export class StoreError extends Error {
  override name = 'StoreError';
}

/** The file is not a readable SQLite database (truncated, overwritten, damaged pages). */
export class CorruptStoreError extends StoreError {
  override name = 'CorruptStoreError';
}

/** Migration N brings user_version from N to N+1. Never edit one that has shipped; append. */
const MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     task_arn TEXT NOT NULL,
     body TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX IF NOT EXISTS outbox_task ON outbox (task_arn, id);`,
  // The task checkpoint: the engine's TaskState per task, as JSON (engine/task-checkpoint.ts).
  `CREATE TABLE task (
     task_arn TEXT PRIMARY KEY,
     state TEXT NOT NULL,
     accepted_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );`,
  // Images the agent pulled, for ECS_IMAGE_PULL_BEHAVIOR=once and image cleanup (images/image-tracker.ts).
  `CREATE TABLE image (
     image_id TEXT PRIMARY KEY,
     state TEXT NOT NULL
   );`,
];

/** SQLITE_CORRUPT and SQLITE_NOTADB (primary result codes). */
const CORRUPT_CODES = new Set([11, 26]);

export class SqliteAgentStore implements AgentStore {
  readonly path: string;
  #db: DatabaseSync;

  /** Opens (or creates) `<dataDir>/agent.db`; `:memory:` for a throwaway store. Throws
   *  CorruptStoreError when the file exists but is not an intact database. */
  constructor(dataDir: string) {
    this.path = dataDir === ':memory:' ? dataDir : join(dataDir, 'agent.db');
    if (dataDir !== ':memory:') mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(this.path);
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
      // A truncated file can open fine and fail only on the pages it lost: check them all now,
      // before anything is read from it (the database is small: this takes milliseconds).
      const check = db.prepare('PRAGMA quick_check').all() as Array<{ quick_check: string }>;
      if (check[0]?.quick_check !== 'ok') throw new CorruptStoreError(`agent state ${this.path} is corrupt: ${check.map((r) => r.quick_check).slice(0, 3).join('; ')}`);
      migrate(db);
      this.#db = db;
    } catch (err) {
      if (db?.isOpen) db.close();
      if (err instanceof StoreError) throw err;
      const code = (err as { errcode?: number }).errcode;
      const Kind = code !== undefined && CORRUPT_CODES.has(code & 0xff) ? CorruptStoreError : StoreError;
      throw new Kind(`cannot open agent state ${this.path}: ${(err as Error).message}`, { cause: err });
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

  saveTask(taskArn: string, state: string, outboxBody?: string): void {
    const now = Date.now();
    this.#transaction(() => {
      this.#db.prepare(
        'INSERT INTO task (task_arn, state, accepted_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(task_arn) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
      ).run(taskArn, state, now, now);
      if (outboxBody !== undefined) this.enqueue(taskArn, outboxBody);
    });
  }

  loadTasks(): Array<{ taskArn: string; state: string }> {
    const rows = this.#db.prepare('SELECT task_arn, state FROM task ORDER BY accepted_at, rowid').all() as Array<{ task_arn: string; state: string }>;
    return rows.map((r) => ({ taskArn: r.task_arn, state: r.state }));
  }

  deleteTask(taskArn: string): void {
    this.#db.prepare('DELETE FROM task WHERE task_arn = ?').run(taskArn);
  }

  saveImage(imageId: string, state: string): void {
    this.#db.prepare('INSERT INTO image (image_id, state) VALUES (?, ?) ON CONFLICT(image_id) DO UPDATE SET state = excluded.state')
      .run(imageId, state);
  }

  loadImages(): Array<{ imageId: string; state: string }> {
    const rows = this.#db.prepare('SELECT image_id, state FROM image ORDER BY rowid').all() as Array<{ image_id: string; state: string }>;
    return rows.map((r) => ({ imageId: r.image_id, state: r.state }));
  }

  deleteImage(imageId: string): void {
    this.#db.prepare('DELETE FROM image WHERE image_id = ?').run(imageId);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  #transaction(body: () => void): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      body();
      this.#db.exec('COMMIT');
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    }
  }
}

function migrate(db: DatabaseSync): void {
  const { user_version: from } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  for (let v = from; v < MIGRATIONS.length; v++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(MIGRATIONS[v]!);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
}
