// Reading request fields with the checks ECS makes at its boundary. A field of the wrong JSON type
// is a SerializationException (the service could not even bind it), a bad value is an
// InvalidParameterException.
import { EcsError, invalidParameter } from '../errors.ts';
import type { Page, PageRequest } from '../store/store-queries.ts';
import type { Input } from './context.ts';

function wrongType(key: string, expected: string): EcsError {
  return new EcsError('SerializationException', `Field '${key}' must be ${expected}.`);
}

export function optString(input: Input, key: string): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw wrongType(key, 'a string');
  return v;
}

export function reqString(input: Input, key: string): string {
  const v = optString(input, key);
  if (v === undefined || v === '') throw invalidParameter(`${key} can not be blank.`);
  return v;
}

export function optNumber(input: Input, key: string): number | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw wrongType(key, 'a number');
  return v;
}

export function optBoolean(input: Input, key: string): boolean | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw wrongType(key, 'a boolean');
  return v;
}

export function optStringList(input: Input, key: string): string[] | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw wrongType(key, 'a list of strings');
  return v as string[];
}

export function optList<T>(input: Input, key: string): T[] | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw wrongType(key, 'a list');
  return v as T[];
}

export function optObject<T>(input: Input, key: string): T | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw wrongType(key, 'a structure');
  return v as T;
}

function readMaxResults(input: Input): number {
  const max = optNumber(input, 'maxResults') ?? 100;
  if (!Number.isInteger(max) || max < 1 || max > 100) throw invalidParameter('maxResults must be between 1 and 100.');
  return max;
}

const AFTER = 'after:';

/**
 * ECS list pagination done by the store (keyset: the token names the last ARN of the previous
 * page), so a page reads O(page) records. `maxResults` 1..100 (default 100), opaque `nextToken`.
 */
export function readPageRequest(input: Input): PageRequest {
  const limit = readMaxResults(input);
  const token = optString(input, 'nextToken');
  if (!token) return { limit };
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!decoded.startsWith(AFTER) || decoded.length === AFTER.length) throw invalidParameter('Invalid nextToken.');
  return { limit, after: decoded.slice(AFTER.length) };
}

export function pageNextToken(page: Page): { nextToken?: string } {
  return page.after === undefined ? {} : { nextToken: Buffer.from(`${AFTER}${page.after}`).toString('base64url') };
}

/**
 * ECS list pagination over an in-memory list (ListClusters: clusters are few): `maxResults` 1..100 (default 100), an opaque `nextToken`. Our token is the
 * offset, base64-encoded, so a stale one after deletions may skip or repeat, as ECS warns it can.
 */
export function paginate<T>(items: T[], input: Input): { page: T[]; nextToken?: string } {
  const max = readMaxResults(input);
  const token = optString(input, 'nextToken');
  let start = 0;
  if (token) {
    const decoded = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^offset:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0) throw invalidParameter('Invalid nextToken.');
    start = decoded;
  }
  const page = items.slice(start, start + max);
  const end = start + page.length;
  return end < items.length ? { page, nextToken: Buffer.from(`offset:${end}`).toString('base64url') } : { page };
}
