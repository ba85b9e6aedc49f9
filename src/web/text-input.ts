import type { FastifyInstance } from 'fastify';
import { invalid, type FieldError } from '../refusal.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text PostgreSQL cannot store: the NUL character, and half of a UTF-16 surrogate pair (which JSON can
 * carry as `\ud800` but which is not a character at all). Either one makes the database refuse the whole
 * statement, which would otherwise surface as a server error; nobody types them, so they are refused as
 * bad input, naming the field, before any handler reads the request.
 */
export function unstorableText(value: string): boolean {
  return value.includes('\u0000') || LONE_SURROGATE.test(value);
}

/** Every place in a parsed body, query or path that holds unstorable text, by field name. */
export function unstorableFields(value: unknown, path = ''): FieldError[] {
  const message = 'Remove the hidden control characters or broken symbols from this answer';
  if (typeof value === 'string') return unstorableText(value) ? [{ field: path || 'body', message }] : [];
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return [];
  const found: FieldError[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key;
    if (unstorableText(key)) found.push({ field: path || 'body', message });
    found.push(...unstorableFields(inner, field));
  }
  return found;
}

export function registerTextChecks(app: FastifyInstance) {
  app.addHook('preHandler', async (request) => {
    const found = [
      ...unstorableFields(request.params),
      ...unstorableFields(request.query),
      ...unstorableFields(request.body),
    ];
    if (found.length > 0) throw invalid(found.slice(0, 10));
  });
}
