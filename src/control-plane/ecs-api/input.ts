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

/** `maxResults`: 1..`limit` (ECS: 100 for most List* calls, 10 for ListAccountSettings and
 *  DescribeCapacityProviders), defaulting to the limit. */
function readMaxResults(input: Input, limit = 100): number {
  const max = optNumber(input, 'maxResults') ?? limit;
  if (!Number.isInteger(max) || max < 1 || max > limit) throw invalidParameter(`maxResults must be between 1 and ${limit}.`);
  return max;
}

/** The text inside a nextToken we issued; anything that is not our base64url is refused, so a
 *  mangled token is an InvalidParameterException instead of silently restarting the listing. */
function decodeToken(token: string, prefix: string): string {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^[A-Za-z0-9_-]+$/.test(token) || Buffer.from(decoded).toString('base64url') !== token
    || !decoded.startsWith(prefix) || decoded.length === prefix.length) {
    throw invalidParameter('Invalid nextToken: pass the nextToken of the previous page unchanged.');
  }
  return decoded.slice(prefix.length);
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
  return { limit, after: decodeToken(token, AFTER) };
}

export function pageNextToken(page: Page): { nextToken?: string } {
  return page.after === undefined ? {} : { nextToken: Buffer.from(`${AFTER}${page.after}`).toString('base64url') };
}

/**
 * ECS list pagination over an in-memory list (ListClusters: clusters are few): `maxResults`
 * 1..`maxLimit` (default the limit), an opaque `nextToken`. Our token is the
 * offset, base64-encoded, so a stale one after deletions may skip or repeat, as ECS warns it can.
 */
export function paginate<T>(items: T[], input: Input, maxLimit = 100): { page: T[]; nextToken?: string } {
  const max = readMaxResults(input, maxLimit);
  const token = optString(input, 'nextToken');
  let start = 0;
  if (token) {
    const decoded = decodeToken(token, 'offset:');
    if (!/^\d+$/.test(decoded)) throw invalidParameter('Invalid nextToken: pass the nextToken of the previous page unchanged.');
    start = Number(decoded);
  }
  const page = items.slice(start, start + max);
  const end = start + page.length;
  return end < items.length ? { page, nextToken: Buffer.from(`offset:${end}`).toString('base64url') } : { page };
}
