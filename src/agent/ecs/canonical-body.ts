// Makes the agent's request bodies match the real agent's on the wire: the Go agent marshals its
// model structs with keys in alphabetical order (capture: every body), and it sends fields that the
// public API model lacks (RegisterContainerInstance's `clientToken`), which the JS SDK would drop.
// A build-step middleware rewrites the serialized JSON before SigV4 signs it.
import type { ECSClient } from '@aws-sdk/client-ecs';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

interface HttpLike { body?: unknown; headers: Record<string, string> }
type Handler = (args: { request: unknown }) => Promise<unknown>;
type BuildMiddleware = (next: Handler) => Handler;
/** The slice of a smithy middleware stack we use; typed loosely so any command fits. */
interface HasStack { middlewareStack: { add(mw: never, options: never): void } }

/** Headers the JS SDK adds that the Go agent does not send; left in, they would be signed too. */
const SDK_ONLY_HEADERS = ['amz-sdk-invocation-id', 'amz-sdk-request', 'x-amz-user-agent'];

/**
 * Signs over exactly the headers the real agent signs (content-length;content-type;host;
 * x-amz-date;x-amz-target): removes the SDK-only headers just before the signer runs, and names
 * the agent in User-Agent. (x-amz-content-sha256 is switched off with `applyChecksum: false`.)
 */
export function useRealAgentHeaders(client: ECSClient, userAgent: string): void {
  const mw: BuildMiddleware = (next) => async (args) => {
    const headers = (args.request as HttpLike).headers;
    for (const name of Object.keys(headers)) {
      if (SDK_ONLY_HEADERS.includes(name.toLowerCase())) delete headers[name];
      if (name.toLowerCase() === 'user-agent') delete headers[name];
    }
    headers['User-Agent'] = userAgent;
    return next(args);
  };
  (client.middlewareStack as unknown as { addRelativeTo(mw: BuildMiddleware, o: object): void })
    .addRelativeTo(mw, { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'dockhandRealAgentHeaders' });
}

function addBuildStep(target: HasStack, name: string, mw: BuildMiddleware): void {
  (target.middlewareStack as unknown as { add(mw: BuildMiddleware, o: object): void })
    .add(mw, { step: 'build', priority: 'low', name });
}

function rewriteBody(request: HttpLike, extra: Record<string, unknown>): void {
  // The SDK hands over its JSON as a string or as bytes, depending on the serializer.
  const text = typeof request.body === 'string' ? request.body
    : request.body instanceof Uint8Array
      // Read the bytes through the underlying buffer: the SDK's byte body warns when used as a string.
      ? Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength).toString('utf8') : '';
  if (text === '') return;
  const parsed = JSON.parse(text) as Record<string, unknown>;
  request.body = JSON.stringify(sortKeys({ ...parsed, ...extra }));
  for (const name of Object.keys(request.headers)) {
    if (name.toLowerCase() === 'content-length') request.headers[name] = String(Buffer.byteLength(request.body as string));
  }
}

/** Every request of this client gets alphabetical JSON keys, as the Go agent sends them. */
export function useCanonicalBodies(client: ECSClient): void {
  addBuildStep(client as unknown as HasStack, 'dockhandCanonicalBody', (next) => async (args) => {
    rewriteBody(args.request as HttpLike, {});
    return next(args);
  });
}

/** Adds fields the public model lacks to one command's body (e.g. clientToken). */
export function withExtraBodyFields<C extends object>(command: C, extra: Record<string, unknown>): C {
  addBuildStep(command as unknown as HasStack, 'dockhandExtraBodyFields', (next) => async (args) => {
    rewriteBody(args.request as HttpLike, extra);
    return next(args);
  });
  return command;
}
