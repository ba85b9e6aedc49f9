import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { isIssuerUrl } from './people/oidc-rules.js';
import { passwordProblem } from './people/password-rules.js';

/** Every setting the service reads, validated once at start-up. */
export interface Config {
  port: number;
  host: string;
  /** Where people reach the service: the start of every link in a message, e.g. https://inspect.example.gov.uk. */
  baseUrl: string;
  production: boolean;
  /** Which proxies' X-Forwarded-For is believed: none (false), a hop count, or their addresses. */
  trustProxy: false | number | string[];
  /** Folder of the embedded database; `memory://` keeps it in memory (tests). */
  dataDir: string;
  databaseUrl: string | null;
  /** PostgreSQL: how long opening a connection may take, and the limit on each statement a request runs. */
  databaseConnectTimeoutMs: number;
  databaseStatementTimeoutMs: number;
  /** Signs cookies and CSRF tokens. Empty for a command, which serves no pages and signs nothing. */
  sessionSecret: string;
  /** Demo data and demo users are created on an empty database (by the server only; never by a command). */
  demoData: boolean;
  demoPassword: string;
  logLevel: string;
  /** Sign-in attempts allowed per email and address in one minute. */
  signInRateLimit: number;
  /** Sign-in attempts allowed from one address in one minute, whatever the emails. */
  signInAddressRateLimit: number;
  /** Hours a browser session or API token stays valid. */
  sessionHours: number;
  /** Seconds between sweeps for deadlines that have fallen due. */
  deadlineSweepSeconds: number;
  /** Worker threads that lay out report PDFs at once, off the thread that answers requests. */
  pdfWorkers: number;
  /** GOV.UK Notify: with a key and a template, messages are sent; otherwise they stay in the outbox. */
  notify: { apiKey: string; templateId: string } | null;
  /** Single sign-on with the organisation's OpenID Connect identity provider, when all three are set. */
  oidc: { issuerUrl: string; clientId: string; clientSecret: string; scopes: string } | null;
}

/** An absolute http(s) address, which may have a path (a service published below a folder). */
function isBaseUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash && !url.username
    );
  } catch {
    return false;
  }
}

/** An IPv4 or IPv6 address, optionally with a prefix length (a range). */
function isAddressOrRange(value: string): boolean {
  const [address, prefix, extra] = value.split('/');
  const kind = isIP(address ?? '');
  if (kind === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (kind === 4 ? 32 : 128);
}

function trustProxyOf(value: string | undefined): Config['trustProxy'] {
  if (!value) return false;
  if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value);
  return value.split(',').map((a) => a.trim());
}

export const DEFAULT_DEMO_PASSWORD = 'demo-password-2026';

const booleanFlag = z
  .enum(['0', '1', 'false', 'true'], { message: 'must be 0, 1, false or true' })
  .transform((value) => value === '1' || value === 'true');

const environmentSchema = z.object({
  // A misspelt value (`Production`) would otherwise start in demo mode.
  NODE_ENV: z
    .enum(['production', 'development', 'test'], { message: 'must be production, development or test' })
    .optional(),
  TRUST_PROXY: z
    .string()
    .trim()
    .refine(
      (value) =>
        value === '' || /^\d{1,2}$/.test(value) || value.split(',').every((a) => isAddressOrRange(a.trim())),
      'must be empty, a number of proxies (1, 2…) or a comma-separated list of their addresses or ranges (10.0.0.0/8)',
    )
    .optional(),
  PORT: z.coerce
    .number({ message: 'must be a port number' })
    .int('must be a whole number')
    .min(0)
    .max(65535)
    .default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  BASE_URL: z
    .string()
    .refine(
      isBaseUrl,
      'must be an absolute http:// or https:// address with no query or fragment, like https://inspect.example.gov.uk',
    )
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(100, 'must be at least 100 (milliseconds)')
    .max(600_000, 'must be at most 600000 (10 minutes)')
    .default(5000),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(0, 'must be 0 (no limit) or more')
    .max(3_600_000, 'must be at most 3600000 (an hour)')
    .default(5000),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  DEMO_DATA: booleanFlag.optional(),
  DEMO_PASSWORD: z
    .string()
    .superRefine((value, ctx) => {
      const problem = passwordProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SIGN_IN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  SIGN_IN_ADDRESS_RATE_LIMIT: z.coerce.number().int().min(1).default(60),
  SESSION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  DEADLINE_SWEEP_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  PDF_WORKERS: z.coerce.number().int().min(1).max(16).default(2),
  NOTIFY_API_KEY: z.string().min(10, 'must be a GOV.UK Notify API key').optional(),
  NOTIFY_TEMPLATE_ID: z.uuid({ message: 'must be the id of a GOV.UK Notify email template' }).optional(),
  OIDC_ISSUER_URL: z
    .string()
    .trim()
    .refine(
      isIssuerUrl,
      "must be the identity provider's https:// address, like https://login.example.com/tenant/v2.0 (http:// only for localhost, 127.0.0.1 or [::1])",
    )
    .optional(),
  OIDC_CLIENT_ID: z.string().trim().min(1, 'must be the client id the identity provider gave').optional(),
  OIDC_CLIENT_SECRET: z.string().min(1, 'must be the client secret the identity provider gave').optional(),
  OIDC_SCOPES: z
    .string()
    .trim()
    .refine(
      (value) => value.split(/\s+/).includes('openid'),
      'must be scopes separated by spaces, openid among them',
    )
    .optional(),
});

const OIDC_SETTINGS = ['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;

export class ConfigError extends Error {}

/**
 * What the configuration is read for: the server (`serve`), which signs cookies and so needs
 * SESSION_SECRET, or a command (`migrate`, `users`, `backup`…), which serves no pages and does not.
 */
export type ConfigPurpose = 'serve' | 'command';

/**
 * Reads the configuration from the environment. Demo mode (demo data and a throw-away session secret)
 * is the default on the embedded database; production (`NODE_ENV=production`) never has demo data and
 * the server must be given a session secret.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: { purpose?: ConfigPurpose } = {},
): Config {
  const serving = (options.purpose ?? 'serve') === 'serve';
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const databaseUrl = e.DATABASE_URL ?? null;
  const demoData = production ? false : (e.DEMO_DATA ?? databaseUrl === null);
  if (production && e.DEMO_DATA === true) {
    throw new ConfigError('Invalid configuration:\n  DEMO_DATA: demo data is never created in production');
  }
  if (Boolean(e.NOTIFY_API_KEY) !== Boolean(e.NOTIFY_TEMPLATE_ID)) {
    throw new ConfigError(
      'Invalid configuration:\n  NOTIFY_TEMPLATE_ID: NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID go together',
    );
  }
  const oidcSet = OIDC_SETTINGS.filter((name) => e[name] !== undefined);
  if (oidcSet.length > 0 && oidcSet.length < OIDC_SETTINGS.length) {
    const missing = OIDC_SETTINGS.filter((name) => e[name] === undefined);
    throw new ConfigError(
      `Invalid configuration:\n  ${missing.join(', ')}: single sign-on needs ${OIDC_SETTINGS.join(', ')} together (or none of them)`,
    );
  }
  if (e.OIDC_SCOPES !== undefined && oidcSet.length === 0) {
    throw new ConfigError(
      'Invalid configuration:\n  OIDC_SCOPES: only used with OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET',
    );
  }
  // Links in emails to providers must reach the real service, not this machine.
  if (production && !e.BASE_URL) {
    throw new ConfigError(
      'Invalid configuration:\n  BASE_URL: required in production, the address people reach the service at',
    );
  }
  if (serving && !e.SESSION_SECRET && !demoData) {
    throw new ConfigError(
      'Invalid configuration:\n  SESSION_SECRET: required outside demo mode (at least 32 characters)',
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    baseUrl: (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    production,
    trustProxy: trustProxyOf(e.TRUST_PROXY),
    dataDir: e.DATA_DIR.startsWith('memory://') ? e.DATA_DIR : path.resolve(e.DATA_DIR),
    databaseUrl,
    databaseConnectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    databaseStatementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    // Demo mode only: a fixed secret keeps demo sessions valid across restarts.
    sessionSecret: e.SESSION_SECRET ?? (serving ? 'demo-mode-session-secret-not-for-production-use' : ''),
    // Only the server creates demo data, on an empty database at start-up.
    demoData: serving && demoData,
    demoPassword: e.DEMO_PASSWORD ?? DEFAULT_DEMO_PASSWORD,
    logLevel: e.LOG_LEVEL,
    signInRateLimit: e.SIGN_IN_RATE_LIMIT,
    signInAddressRateLimit: e.SIGN_IN_ADDRESS_RATE_LIMIT,
    sessionHours: e.SESSION_HOURS,
    deadlineSweepSeconds: e.DEADLINE_SWEEP_SECONDS,
    pdfWorkers: e.PDF_WORKERS,
    notify:
      e.NOTIFY_API_KEY && e.NOTIFY_TEMPLATE_ID
        ? { apiKey: e.NOTIFY_API_KEY, templateId: e.NOTIFY_TEMPLATE_ID }
        : null,
    oidc:
      e.OIDC_ISSUER_URL && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET
        ? {
            issuerUrl: e.OIDC_ISSUER_URL,
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            scopes: (e.OIDC_SCOPES ?? 'openid email profile').split(/\s+/).join(' '),
          }
        : null,
  };
}
