import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isApiRequest } from './access.js';
import { Problem } from './problem.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/** `application/json`, or a JSON-based type such as `application/merge-patch+json`. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/**
 * The API reads JSON only. A browser can send a urlencoded or multipart form to any site without asking,
 * so a write that accepted one could be forged from another site. Checked after the route's access
 * check and before the body is read.
 */
export function registerJsonOnlyApi(app: FastifyInstance) {
  app.addHook('preParsing', async (request) => {
    if (!isApiRequest(request) || !WRITES.has(request.method) || !hasBody(request)) return;
    if (!isJsonMediaType(request.headers['content-type'])) {
      throw new Problem(
        415,
        'Unsupported media type',
        'Send the body as JSON, with Content-Type: application/json.',
      );
    }
  });
}

/**
 * What a signed-in person sees, and every API answer, is kept by no cache (a shared computer, a proxy).
 * Public answers that set their own Cache-Control (published reports, assets) keep it.
 */
export function registerNoStore(app: FastifyInstance) {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith('/assets/')) return payload;
    const personal = request.person !== null || request.headers.authorization !== undefined;
    const own = reply.getHeader('cache-control');
    const keeps = typeof own === 'string' && (!personal || own.includes('no-store'));
    if (!keeps) reply.header('cache-control', 'no-store');
    return payload;
  });
}
