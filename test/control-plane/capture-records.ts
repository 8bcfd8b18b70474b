// Reading the real agent's wire capture (shared/fixtures/ecs-agent-capture/*.traffic.jsonl) and
// comparing our control plane's answers with the capture's fake control plane by shape: the same
// keys, and values of the same JSON type, recursively.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const CAPTURE_DIR = resolve(import.meta.dirname, '../../../shared/fixtures/ecs-agent-capture');

export interface CaptureRecord {
  seq: number;
  channel: 'ecs-api' | 'acs' | 'tcs' | 'imds' | 'scenario';
  direction: 'agent->cp' | 'cp->agent' | null;
  kind: string;
  operation: string | null;
  note?: string;
  method?: string;
  url?: string;
  query?: Record<string, string>;
  headers?: Array<[string, string]>;
  frameHeaders?: Array<[string, string]>;
  status?: number;
  inResponseTo?: number;
  body?: unknown;
  bodyRaw?: string;
  code?: number;
}

export function readCapture(run: string): CaptureRecord[] {
  return readFileSync(`${CAPTURE_DIR}/${run}.traffic.jsonl`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as CaptureRecord);
}

/** The JSON document of a record: for TCS frames, the text after the signed header block. */
export function jsonText(r: CaptureRecord): string {
  const raw = r.bodyRaw ?? JSON.stringify(r.body);
  const end = raw.indexOf('\r\n\r\n');
  return r.frameHeaders && end >= 0 ? raw.slice(end + 4) : raw;
}

export type Shape = string | Shape[] | { [key: string]: Shape };

/** Keys and JSON types, recursively. An array's shape is the set of its elements' shapes. */
export function shapeOf(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const shapes = new Map<string, Shape>();
    for (const v of value) {
      const s = shapeOf(v);
      shapes.set(JSON.stringify(s), s);
    }
    return [...shapes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, s]) => s);
  }
  if (typeof value === 'object') {
    const out: Record<string, Shape> = {};
    for (const key of Object.keys(value).sort()) out[key] = shapeOf((value as Record<string, unknown>)[key]);
    return out;
  }
  return typeof value;
}

/** A copy without the given dotted paths ("a.b.c"; a path through an array applies to each element). */
export function without(value: unknown, paths: readonly string[]): unknown {
  const copy = structuredClone(value);
  for (const path of paths) drop(copy, path.split('.'));
  return copy;
}

function drop(value: unknown, keys: string[]): void {
  if (Array.isArray(value)) {
    for (const v of value) drop(v, keys);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const [head, ...rest] = keys as [string, ...string[]];
  const obj = value as Record<string, unknown>;
  if (rest.length === 0) delete obj[head];
  else drop(obj[head], rest);
}
