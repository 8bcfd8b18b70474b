// The durable ControlPlaneStore: one SQLite file, <dataDir>/control-plane.db (schema in
// sqlite-schema.ts). Every port method is one statement (or one transaction), synchronous, so a
// call that returned is on disk. Records go in and out as JSON text, which also makes every
// returned record a fresh copy, as the port requires.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { ControlPlaneStore } from './control-plane-store.ts';
import { DB_FILE_NAME, openControlPlaneDatabase } from './sqlite-schema.ts';
import { familyOfTaskDefinitionArn, type Page, type PageRequest } from './store-queries.ts';

type Row = Record<string, SQLInputValue>;

export function createSqliteStore(dataDir: string): ControlPlaneStore {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, DB_FILE_NAME);
  const db = openControlPlaneDatabase(file);
  const statements = new Map<string, StatementSync>();
  const stmt = (sql: string): StatementSync => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const records = <T,>(sql: string, ...params: SQLInputValue[]): T[] =>
    (stmt(sql).all(...params) as Array<{ record: string }>).map((r) => JSON.parse(r.record) as T);
  const record = <T,>(sql: string, ...params: SQLInputValue[]): T | undefined => records<T>(sql, ...params)[0];
  const run = (sql: string, params: Row) => stmt(sql).run(params);
  let closed = false;
  const depth = { n: 0 }; // transaction nesting: inner units join the outer one

  return {
    getCluster: (name) => record('SELECT record FROM clusters WHERE name = ?', name),
    putCluster: (c) => void run(
      'INSERT INTO clusters (name, record) VALUES (:name, :record) ON CONFLICT (name) DO UPDATE SET record = excluded.record',
      { name: c.name, record: JSON.stringify(c) }),
    listClusters: () => records('SELECT record FROM clusters ORDER BY seq'),

    getTaskDefinition: (family, revision) => record('SELECT record FROM task_definitions WHERE family = ? AND revision = ?', family, revision),
    putTaskDefinition: (td) => void run(
      `INSERT INTO task_definitions (arn, family, revision, status, record) VALUES (:arn, :family, :revision, :status, :record)
       ON CONFLICT (family, revision) DO UPDATE SET arn = excluded.arn, status = excluded.status, record = excluded.record`,
      { arn: td.arn, family: td.family, revision: td.revision, status: td.status, record: JSON.stringify(td) }),
    latestRevision: (family) =>
      (stmt('SELECT MAX(revision) AS latest FROM task_definitions WHERE family = ?').get(family) as { latest: number | null }).latest ?? 0,
    pageTaskDefinitionArns(q, page) {
      const [cmp, dir] = q.descending ? ['<', 'DESC'] : ['>', 'ASC'];
      const where = ['status = :status'];
      const params: Row = { status: q.status };
      if (q.family !== undefined) (where.push('family = :family'), (params.family = q.family));
      if (page.after !== undefined) {
        where.push(`(family, revision) ${cmp} (SELECT family, revision FROM task_definitions WHERE arn = :after)`);
        params.after = page.after;
      }
      return pageFrom(stmt(`SELECT arn FROM task_definitions WHERE ${where.join(' AND ')}
        ORDER BY family ${dir}, revision ${dir} LIMIT :limit`), params, page);
    },

    getContainerInstance: (arn) => record('SELECT record FROM container_instances WHERE arn = ?', arn),
    putContainerInstance: (ci) => void run(
      `INSERT INTO container_instances (arn, cluster, status, record) VALUES (:arn, :cluster, :status, :record)
       ON CONFLICT (arn) DO UPDATE SET cluster = excluded.cluster, status = excluded.status, record = excluded.record`,
      { arn: ci.arn, cluster: ci.clusterName, status: ci.status, record: JSON.stringify(ci) }),
    listContainerInstances: (clusterName) => records('SELECT record FROM container_instances WHERE cluster = ? ORDER BY seq', clusterName),
    pageContainerInstanceArns(q, page) {
      const where = ['cluster = :cluster', q.status !== undefined ? 'status = :status' : "status <> 'INACTIVE'"];
      const params: Row = { cluster: q.clusterName, ...(q.status !== undefined ? { status: q.status } : {}) };
      if (page.after !== undefined) (where.push('seq > (SELECT seq FROM container_instances WHERE arn = :after)'), (params.after = page.after));
      return pageFrom(stmt(`SELECT arn FROM container_instances WHERE ${where.join(' AND ')} ORDER BY seq LIMIT :limit`), params, page);
    },

    getTask: (arn) => record('SELECT record FROM tasks WHERE arn = ?', arn),
    putTask: (t) => void run(
      `INSERT INTO tasks (arn, cluster, instance_arn, family, desired_status, last_status, started_by, launch_type, record)
       VALUES (:arn, :cluster, :instance, :family, :desired, :last, :startedBy, :launchType, :record)
       ON CONFLICT (arn) DO UPDATE SET cluster = excluded.cluster, instance_arn = excluded.instance_arn, family = excluded.family,
         desired_status = excluded.desired_status, last_status = excluded.last_status, started_by = excluded.started_by,
         launch_type = excluded.launch_type, record = excluded.record`,
      {
        arn: t.arn, cluster: t.clusterName, instance: t.containerInstanceArn, family: familyOfTaskDefinitionArn(t.taskDefinitionArn),
        desired: t.desiredStatus, last: t.lastStatus, startedBy: t.startedBy ?? null, launchType: t.launchType, record: JSON.stringify(t),
      }),
    listLiveTasks: (clusterName) => records("SELECT record FROM tasks WHERE cluster = ? AND last_status <> 'STOPPED' ORDER BY seq", clusterName),
    listLiveTasksOn: (instanceArn) => records("SELECT record FROM tasks WHERE instance_arn = ? AND last_status <> 'STOPPED' ORDER BY seq", instanceArn),
    pageTaskArns(q, page) {
      const where = ['cluster = :cluster'];
      const params: Row = { cluster: q.clusterName };
      if (q.desiredStatus === 'PENDING') where.push("desired_status = 'RUNNING'", "last_status = 'PENDING'");
      else (where.push('desired_status = :desired'), (params.desired = q.desiredStatus));
      const optional: Array<[string, string | undefined]> = [
        ['instance_arn', q.containerInstanceArn], ['family', q.family], ['started_by', q.startedBy], ['launch_type', q.launchType],
      ];
      for (const [column, value] of optional) if (value !== undefined) (where.push(`${column} = :${column}`), (params[column] = value));
      if (q.group !== undefined) (where.push("json_extract(record, '$.group') = :task_group"), (params.task_group = q.group));
      if (page.after !== undefined) (where.push('seq > (SELECT seq FROM tasks WHERE arn = :after)'), (params.after = page.after));
      return pageFrom(stmt(`SELECT arn FROM tasks WHERE ${where.join(' AND ')} ORDER BY seq LIMIT :limit`), params, page);
    },

    nextSeqNum: (instanceArn) => (stmt(
      `INSERT INTO acs_seq_nums (instance_arn, last) VALUES (?, 1)
       ON CONFLICT (instance_arn) DO UPDATE SET last = last + 1 RETURNING last`).get(instanceArn) as { last: number }).last,
    addPendingPayload: (instanceArn, p) => void run(
      'INSERT INTO acs_pending_payloads (instance_arn, message_id, frame) VALUES (:instance, :messageId, :frame)',
      { instance: instanceArn, messageId: p.messageId, frame: p.frame }),
    removePendingPayload: (instanceArn, messageId) => Number(stmt(
      `DELETE FROM acs_pending_payloads WHERE seq = (SELECT MIN(seq) FROM acs_pending_payloads WHERE instance_arn = ? AND message_id = ?)`,
    ).run(instanceArn, messageId).changes) > 0,
    listPendingPayloads: (instanceArn) => stmt(
      'SELECT message_id AS messageId, frame FROM acs_pending_payloads WHERE instance_arn = ? ORDER BY seq',
    ).all(instanceArn) as Array<{ messageId: string; frame: string }>,

    getCredentialsId: (taskArn, roleType) => (stmt(
      'SELECT credentials_id AS id FROM acs_credential_ids WHERE task_arn = ? AND role_type = ?').get(taskArn, roleType) as { id: string } | undefined)?.id,
    putCredentialsId: (taskArn, roleType, id) => void stmt(
      `INSERT INTO acs_credential_ids (task_arn, role_type, credentials_id) VALUES (?, ?, ?)
       ON CONFLICT (task_arn, role_type) DO UPDATE SET credentials_id = excluded.credentials_id`).run(taskArn, roleType, id),
    addPendingCredentials: (instanceArn, e) => void run(
      `INSERT INTO acs_pending_credentials (instance_arn, message_id, task_arn, credentials_id, frame)
       VALUES (:instance, :messageId, :taskArn, :credentialsId, :frame)`,
      { instance: instanceArn, messageId: e.messageId, taskArn: e.taskArn, credentialsId: e.credentialsId, frame: e.frame }),
    removePendingCredentials: (instanceArn, messageId, credentialsId) => Number(stmt(
      `DELETE FROM acs_pending_credentials WHERE seq = (SELECT MIN(seq) FROM acs_pending_credentials
         WHERE instance_arn = :instance AND message_id = :messageId AND (:credentialsId IS NULL OR credentials_id = :credentialsId))`,
    ).run({ instance: instanceArn, messageId, credentialsId: credentialsId ?? null }).changes) > 0,
    listPendingCredentials: (instanceArn) => stmt(
      `SELECT message_id AS messageId, task_arn AS taskArn, credentials_id AS credentialsId, frame
       FROM acs_pending_credentials WHERE instance_arn = ? ORDER BY seq`,
    ).all(instanceArn) as Array<{ messageId: string; taskArn: string; credentialsId: string; frame: string }>,
    forgetTaskCredentials(instanceArn, taskArn) {
      transaction(db, depth, () => {
        stmt('DELETE FROM acs_pending_credentials WHERE instance_arn = ? AND task_arn = ?').run(instanceArn, taskArn);
        stmt('DELETE FROM acs_credential_ids WHERE task_arn = ?').run(taskArn);
      });
    },

    getDocument: (kind, key) => record('SELECT record FROM documents WHERE kind = ? AND key = ?', kind, key),
    putDocument: (kind, key, parent, doc) => void run(
      `INSERT INTO documents (kind, key, parent, record) VALUES (:kind, :key, :parent, :record)
       ON CONFLICT (kind, key) DO UPDATE SET parent = excluded.parent, record = excluded.record`,
      { kind, key, parent, record: JSON.stringify(doc) }),
    deleteDocument: (kind, key) => Number(stmt('DELETE FROM documents WHERE kind = ? AND key = ?').run(kind, key).changes) > 0,
    listDocuments: (kind, parent) => records('SELECT record FROM documents WHERE kind = ? AND parent = ? ORDER BY seq', kind, parent),
    pageDocumentKeys(kind, parent, page) {
      const where = ['kind = :kind', 'parent = :parent'];
      const params: Row = { kind, parent };
      if (page.after !== undefined) {
        where.push('seq > (SELECT seq FROM documents WHERE kind = :kind AND key = :after)');
        params.after = page.after;
      }
      return pageFrom(stmt(`SELECT key AS arn FROM documents WHERE ${where.join(' AND ')} ORDER BY seq LIMIT :limit`), params, page);
    },

    atomically: (body) => transaction(db, depth, body),

    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

/** Runs a keyset query for one more row than the page holds: that extra row says more follow. */
function pageFrom(query: StatementSync, params: Row, page: PageRequest): Page {
  const rows = query.all({ ...params, limit: page.limit + 1 }) as Array<{ arn: string }>;
  const arns = rows.slice(0, page.limit).map((r) => r.arn);
  return rows.length > page.limit ? { arns, after: arns[arns.length - 1]! } : { arns };
}

/** BEGIN … COMMIT around `body`; nested calls join the outer transaction (SQLite has no nested BEGIN). */
function transaction<T>(db: DatabaseSync, depth: { n: number }, body: () => T): T {
  if (depth.n > 0) return body();
  db.exec('BEGIN IMMEDIATE');
  depth.n += 1;
  try {
    const out = body();
    db.exec('COMMIT');
    return out;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  } finally {
    depth.n -= 1;
  }
}
