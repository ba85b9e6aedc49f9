/**
 * What every benchmark reads from the environment, read one way: the PostgreSQL server they work on
 * (BENCH_DATABASE_URL) and their numeric and list settings. A setting that is not a positive number
 * stops the benchmark before it starts, rather than measuring something else.
 */
import pg from 'pg';

export const DATABASE_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** A positive number from the environment, or `fallback` when it is unset or empty. */
export function numberSetting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not ${raw}`);
  return value;
}

/** A comma-separated list from the environment, or `fallback` (also comma-separated) when it is unset or empty. */
export function listSetting(name: string, fallback: string): string[] {
  return (process.env[name] || fallback)
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Drops a benchmark's schema on the benchmark server, with everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await admin.end();
  }
}
