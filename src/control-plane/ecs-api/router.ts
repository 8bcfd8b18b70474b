// The ECS JSON 1.1 endpoint: `POST /` with `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Op>`.
// Checks in the order AWS does them: signature shape, operation, body; then the handler. Every
// failure leaves as the ECS error shape, so the SDK raises the matching exception class.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ECS_CONTENT_TYPE, ECS_TARGET_PREFIX } from '../../protocol/ecs-wire.ts';
import { parseAuthorization } from '../../protocol/sigv4-websocket.ts';
import { EcsError } from '../errors.ts';
import { agentHandlers } from './agent-api.ts';
import { attributeHandlers } from './attributes.ts';
import { clusterHandlers } from './clusters.ts';
import { containerInstanceHandlers } from './container-instances.ts';
import type { ApiContext, Handler, Input } from './context.ts';
import { opsHandlers } from './ops-api.ts';
import { serviceHandlers } from './services.ts';
import { taskDefinitionHandlers } from './task-definitions.ts';
import { taskHandlers } from './tasks.ts';

const HANDLERS: Record<string, Handler> = {
  ...clusterHandlers,
  ...taskDefinitionHandlers,
  ...taskHandlers,
  ...containerInstanceHandlers,
  ...agentHandlers,
  ...attributeHandlers,
  ...opsHandlers,
  ...serviceHandlers,
};

export const SUPPORTED_OPERATIONS: readonly string[] = Object.keys(HANDLERS);

/** Caps a request body; ECS's own limit is far lower than anything a sane caller sends. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

function checkSignature(req: IncomingMessage): void {
  const header = req.headers.authorization;
  if (!header) throw new EcsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const auth = parseAuthorization(header);
  if (!auth) {
    throw new EcsError('IncompleteSignatureException', `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters in SigV4 form.`);
  }
  if (!auth.signedHeaders.includes('host') || !(auth.signedHeaders.includes('x-amz-date') || req.headers['x-amz-date'])) {
    throw new EcsError('IncompleteSignatureException', 'The signature must cover the host and x-amz-date headers.');
  }
}

function operationOf(req: IncomingMessage): string {
  const target = String(req.headers['x-amz-target'] ?? '');
  const [prefix, op] = target.split('.');
  if (prefix !== ECS_TARGET_PREFIX || !op || !Object.hasOwn(HANDLERS, op)) {
    throw new EcsError('UnknownOperationException', target ? `Unknown operation ${target}` : 'Missing X-Amz-Target header');
  }
  return op;
}

function parseBody(raw: string): Input {
  let parsed: unknown;
  try {
    parsed = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    throw new EcsError('SerializationException', 'Start of structure or map found where not expected.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EcsError('SerializationException', 'The request body must be a JSON object.');
  }
  return parsed as Input;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new EcsError('SerializationException', 'Request body too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, requestId: string, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': ECS_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

export function createEcsApiHandler(ctx: ApiContext, requireSignature: boolean) {
  return async function handleEcsApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let op = String(req.headers['x-amz-target'] ?? '');
    try {
      const raw = await readBody(req);
      if (requireSignature) checkSignature(req);
      op = operationOf(req);
      const input = parseBody(raw);
      const output = await HANDLERS[op]!(ctx, input);
      send(res, 200, output, requestId);
      ctx.logger.debug({ op, requestId }, 'ECS API call');
    } catch (err) {
      const error = err instanceof EcsError ? err : new EcsError('ServerException', 'An internal error occurred.');
      if (!(err instanceof EcsError)) ctx.logger.error({ err, op, requestId }, 'ECS API handler failed');
      else ctx.logger.info({ op, requestId, error: error.type, message: error.message }, 'ECS API error');
      send(res, error.httpStatus, error.toBody(), requestId, error.type);
    }
  };
}
