// Opening <dataDir>/control-plane.db: WAL with synchronous = FULL (a write the API answered is on
// disk), an exclusive lock (two control planes on one data directory would hand out the same
// seqNums), and the schema. Records are JSON columns keyed by their ids; the other columns exist
// only for the look-ups and paged queries of the port, each with the index it needs. `seq` is the
// creation order: upserts (ON CONFLICT DO UPDATE) keep a row's seq.
import { DatabaseSync } from 'node:sqlite';

export const DB_FILE_NAME = 'control-plane.db';
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS clusters (
  seq INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, record TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS task_definitions (
  seq INTEGER PRIMARY KEY, arn TEXT NOT NULL UNIQUE, family TEXT NOT NULL, revision INTEGER NOT NULL,
  status TEXT NOT NULL, record TEXT NOT NULL, UNIQUE (family, revision));
CREATE INDEX IF NOT EXISTS task_definitions_by_status ON task_definitions (status, family, revision);

CREATE TABLE IF NOT EXISTS container_instances (
  seq INTEGER PRIMARY KEY, arn TEXT NOT NULL UNIQUE, cluster TEXT NOT NULL, status TEXT NOT NULL,
  record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS container_instances_by_cluster ON container_instances (cluster, seq);

CREATE TABLE IF NOT EXISTS tasks (
  seq INTEGER PRIMARY KEY, arn TEXT NOT NULL UNIQUE, cluster TEXT NOT NULL, instance_arn TEXT NOT NULL,
  family TEXT NOT NULL, desired_status TEXT NOT NULL, last_status TEXT NOT NULL, started_by TEXT,
  launch_type TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_by_cluster ON tasks (cluster, desired_status, seq);
CREATE INDEX IF NOT EXISTS tasks_by_instance ON tasks (instance_arn, desired_status, seq);
-- STOPPED tasks are kept forever; what placement and manifests read must not scan them.
CREATE INDEX IF NOT EXISTS tasks_live_by_cluster ON tasks (cluster, seq) WHERE last_status <> 'STOPPED';
CREATE INDEX IF NOT EXISTS tasks_live_by_instance ON tasks (instance_arn, seq) WHERE last_status <> 'STOPPED';

CREATE TABLE IF NOT EXISTS acs_seq_nums (
  instance_arn TEXT PRIMARY KEY, last INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS acs_pending_payloads (
  seq INTEGER PRIMARY KEY, instance_arn TEXT NOT NULL, message_id TEXT NOT NULL, frame TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS acs_pending_payloads_by_instance ON acs_pending_payloads (instance_arn, message_id);
CREATE TABLE IF NOT EXISTS acs_credential_ids (
  task_arn TEXT NOT NULL, role_type TEXT NOT NULL, credentials_id TEXT NOT NULL,
  PRIMARY KEY (task_arn, role_type)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS acs_pending_credentials (
  seq INTEGER PRIMARY KEY, instance_arn TEXT NOT NULL, message_id TEXT NOT NULL, task_arn TEXT NOT NULL,
  credentials_id TEXT NOT NULL, frame TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS acs_pending_credentials_by_instance ON acs_pending_credentials (instance_arn, task_arn);

CREATE TABLE IF NOT EXISTS documents (
  seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, parent TEXT NOT NULL, record TEXT NOT NULL,
  UNIQUE (kind, key));
CREATE INDEX IF NOT EXISTS documents_by_parent ON documents (kind, parent, seq);
`;

/**
 * Opens (creating if missing) the database file. Anything wrong with it — not a database, a
 * newer schema, locked by another process — is an error naming the file; the file is left as it
 * is, so nothing is lost by a failed start.
 */
export function openControlPlaneDatabase(file: string): DatabaseSync {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file);
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA foreign_keys = ON');
    const { user_version: version } = db.prepare('PRAGMA user_version').get() as { user_version: number };
    if (version > SCHEMA_VERSION) throw new Error(`its schema version ${version} is newer than this Dockhand's (${SCHEMA_VERSION})`);
    db.exec(`BEGIN IMMEDIATE; ${SCHEMA} PRAGMA user_version = ${SCHEMA_VERSION}; COMMIT;`);
    return db;
  } catch (err) {
    try {
      db?.close();
    } catch {
      // already unusable; the first error is the one worth reporting
    }
    const why = err instanceof Error ? err.message : String(err);
    const advice = /locked|busy/i.test(why)
      ? 'Is another Dockhand control plane using this data directory?'
      : 'It was left untouched; move it aside to start with an empty control plane.';
    throw new Error(`control-plane database ${file} cannot be used: ${why}. ${advice}`, { cause: err });
  }
}
