import { z } from 'zod';

/**
 * A request body that passes a route's schema, built from the schema itself, so a test can reach the
 * route's handler (and so its authorisation) without a hand-written body per route. Ids come from `ids`
 * when a field's name suggests one; anything else gets a plain value of the right shape.
 */
export function sampleBody(schema: unknown, ids: Record<string, string> = {}): unknown {
  if (!(schema instanceof z.ZodType)) return undefined;
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const value = sample(json, '', ids, json);
  return schema.safeParse(value).success ? value : undefined;
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

const FALLBACK_UUID = '00000000-0000-4000-8000-000000000000';

function sample(schema: JsonSchema, name: string, ids: Record<string, string>, root: JsonSchema): unknown {
  if (schema.$ref) {
    const key = schema.$ref.split('/').pop()!;
    return sample(root.$defs?.[key] ?? {}, name, ids, root);
  }
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const choice = schema.anyOf ?? schema.oneOf;
  if (choice) return sample(choice.find((option) => option.type !== 'null') ?? choice[0]!, name, ids, root);
  if (schema.allOf) return sample(Object.assign({}, ...schema.allOf) as JsonSchema, name, ids, root);
  const type = [schema.type ?? 'string'].flat().find((t) => t !== 'null') ?? 'string';
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      // Only what is required, plus ids we were given: the least a valid request needs.
      for (const [key, property] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(key) || ids[key] !== undefined)
          out[key] = sample(property, key, ids, root);
      }
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () =>
        sample(schema.items ?? {}, name, ids, root),
      );
    case 'integer':
    case 'number':
      if (name === 'version') return 1;
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      return sampleString(schema, name, ids);
  }
}

function sampleString(schema: JsonSchema, name: string, ids: Record<string, string>): string {
  const candidates: string[] = [];
  if (ids[name]) candidates.push(ids[name]);
  if (/postcode/i.test(name)) candidates.push('SW1A 2AA');
  if (name === 'urn') candidates.push('SC123456');
  if (schema.format === 'uuid' || /id$/i.test(name)) candidates.push(FALLBACK_UUID);
  if (schema.format === 'email' || /email/i.test(name)) candidates.push('someone@example.invalid');
  if (schema.format === 'date' || /(date|on|from|to|by)$/i.test(name)) candidates.push('2026-11-02');
  if (schema.format === 'date-time') candidates.push('2026-11-02T10:00:00.000Z');
  candidates.push('A plain answer of reasonable length for this field.', '2026-11-02', FALLBACK_UUID, 'x');
  const fits = (value: string) =>
    (schema.minLength === undefined || value.length >= schema.minLength) &&
    (schema.maxLength === undefined || value.length <= schema.maxLength) &&
    (schema.pattern === undefined || new RegExp(schema.pattern, 'u').test(value));
  return candidates.find(fits) ?? 'x'.repeat(Math.max(1, schema.minLength ?? 1));
}
