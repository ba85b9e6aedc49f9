import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { sql } from 'kysely';
import { parseIsoDate } from '../calendar/working-days.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { generateNationalData, type NationalDataCounts } from './national-data.js';

/** `inspectorate generate`: a national-scale data set for trying the service at size and for benchmarks. */

/** A refusal: runCli prints a RangeError's message alone and exits with 1. */
class GenerateRefused extends RangeError {
  override readonly name = 'GenerateRefused';
}

interface GenerateOptions {
  providers: string;
  years: string;
  seed: string;
  today?: string;
  evidence: string;
  databaseUrl?: string;
  force?: boolean;
}

const LABELS: [keyof NationalDataCounts, string][] = [
  ['providers', 'providers'],
  ['ownerGroups', 'owner groups'],
  ['people', 'people (not able to sign in)'],
  ['inspections', 'inspections'],
  ['judgements', 'judgements'],
  ['evidence', 'pieces of evidence'],
  ['requirements', 'requirements'],
  ['complaints', 'complaints'],
  ['concerns', 'concerns'],
  ['notifications', 'serious-event notifications'],
  ['providerChanges', 'changes of manager or owner'],
];

function wholeNumber(name: string, raw: string, least: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < least)
    throw new GenerateRefused(`Nothing generated: --${name} must be a whole number of ${least} or more`);
  return value;
}

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description(
      'fill an empty database with a national-scale data set for trying the service at size (see docs/performance.md)',
    )
    .option('--providers <n>', 'providers, one per local authority included (153 or more)', '100000')
    .option('--years <n>', 'years of history, ending today', '10')
    .option('--seed <text>', 'the same seed (and day) gives the same data', 'national')
    .option('--today <date>', 'the day the history ends (default: today in England)')
    .option('--evidence <n>', 'about how many pieces of evidence per inspection', '10')
    .option('--database-url <url>', 'a PostgreSQL server (default: DATABASE_URL, else the embedded database)')
    .option('--force', 'add the data even though the register already holds providers')
    .action(async (options: GenerateOptions) => {
      const providers = wholeNumber('providers', options.providers, 153);
      const years = wholeNumber('years', options.years, 1);
      if (years > 30) throw new GenerateRefused('Nothing generated: --years must be 30 or fewer');
      const evidencePerInspection = wholeNumber('evidence', options.evidence, 0);
      if (evidencePerInspection > 30)
        throw new GenerateRefused('Nothing generated: --evidence must be 30 or fewer');
      if (options.today !== undefined) {
        try {
          parseIsoDate(options.today, 'today');
        } catch (error) {
          throw new GenerateRefused(`Nothing generated: --today: ${(error as Error).message}`);
        }
      }

      const config = loadConfig(process.env, { purpose: 'command' });
      const databaseUrl = options.databaseUrl ?? config.databaseUrl;
      // A long job: no statement timeout (the web requests' DATABASE_STATEMENT_TIMEOUT_MS is not for it).
      const database = await openDatabase({
        databaseUrl,
        dataDir: config.dataDir,
        connectTimeoutMs: config.databaseConnectTimeoutMs,
      });
      const where = databaseUrl ? 'the PostgreSQL server' : `the embedded database in ${config.dataDir}`;
      const showBar = Boolean(process.stderr.isTTY);
      const bar = showBar
        ? new cliProgress.SingleBar(
            {
              format: 'Generating |{bar}| {value}/{total} steps | {step} | {duration_formatted}',
              stream: process.stderr,
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          )
        : null;
      try {
        await migrateToLatest(database);
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from providers`.execute(
          database.db,
        );
        const existing = rows[0]?.n ?? 0;
        // A register with providers may hold real data: never mix generated rows into it by accident.
        if (existing > 0 && !options.force) {
          throw new GenerateRefused(
            `Nothing generated: ${where} already holds ${existing} providers. Generate into an empty database, ` +
              'or add --force to add the generated set to what is there.',
          );
        }
        const started = Date.now();
        let rowsWritten = 0;
        bar?.start(1, 0, { step: 'starting' });
        const counts = await generateNationalData(database.db, {
          providers,
          years,
          seed: options.seed,
          evidencePerInspection,
          ...(options.today ? { today: options.today } : {}),
          onStep: (step, rowCount, ms, progress) => {
            rowsWritten += rowCount;
            bar?.setTotal(progress.total + 1);
            bar?.update(progress.done, { step: `${step} done` });
            if (!showBar)
              process.stderr.write(`${step}${rowCount > 0 ? `: ${rowCount} rows` : ''} (${ms} ms)\n`);
          },
        });
        bar?.update({ step: 'analyse' });
        // Fresh statistics, so that the first queries on the new data are planned well.
        await sql`analyze`.execute(database.db);
        bar?.increment(1, { step: 'done' });
        bar?.stop();
        const seconds = (Date.now() - started) / 1000;
        process.stdout.write(
          `Generated into ${where} (seed ${options.seed}) in ${seconds.toFixed(1)} s, ` +
            `${Math.round(rowsWritten / Math.max(seconds, 0.001)).toLocaleString('en-GB')} rows/s:\n`,
        );
        for (const [key, label] of LABELS)
          process.stdout.write(`  ${counts[key].toLocaleString('en-GB').padStart(11)} ${label}\n`);
      } finally {
        bar?.stop();
        await database.close();
      }
    });
}
