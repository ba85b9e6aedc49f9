import { Command, CommanderError } from 'commander';
import { verifyAuditTrail } from '../audit/store.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { backup, BackupError, restore } from '../db/backup.js';
import { embeddedLocation, openDatabase, type DatabaseOptions } from '../db/database.js';
import { DatabaseUnreachableError } from '../db/faults.js';
import { acquireEmbeddedLock, EmbeddedLockError } from '../db/embedded-lock.js';
import { migrateToLatest } from '../db/migrate.js';
import { registerGenerateCommand } from '../generate/command.js';
import { registerImportCommands } from '../imports/command.js';
import { registerRulesCommands } from './rules-commands.js';
import { registerUsersCommands } from './users-commands.js';

/**
 * The database as a command opens it: the configured connect timeout, and no statement timeout, which
 * is for web requests (migrations and verifying a long audit trail may take minutes).
 */
function commandDatabase(config: Config): DatabaseOptions {
  return {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
  };
}

/** The operator's command line. Each command prints its result to stdout and problems to stderr. */
export function buildCli(): Command {
  const program = new Command('inspectorate')
    .description('Case management for inspecting children’s social care')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('serve')
    .description('start the service (configured by environment variables; see README)')
    .action(async () => {
      const { startServer } = await import('../main.js');
      await startServer(loadConfig());
    });

  program
    .command('migrate')
    .description('bring the database schema up to date, then exit')
    .action(async () => {
      const config = loadConfig(process.env, { purpose: 'command' });
      const database = await openDatabase(commandDatabase(config));
      try {
        const applied = await migrateToLatest(database);
        process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Already up to date\n');
      } finally {
        await database.close();
      }
    });

  program
    .command('audit')
    .description('the audit trail')
    .command('verify')
    .description('recompute the audit trail’s hash chain and report the first broken link')
    .action(async () => {
      const config = loadConfig(process.env, { purpose: 'command' });
      const database = await openDatabase(commandDatabase(config));
      try {
        const check = await verifyAuditTrail(database.db);
        if (check.ok) {
          const waiting = check.waiting ? `; ${check.waiting} committed since, waiting to be chained` : '';
          process.stdout.write(`Audit trail intact: ${check.entries} entries verified${waiting}\n`);
        } else {
          process.stderr.write(
            `Audit trail broken at entry ${check.brokenAt}: ${check.reason} (${check.entries} entries read)\n`,
          );
          // Through CommanderError, so that runCli returns the code.
          throw new CommanderError(2, 'audit.broken', 'Audit trail broken');
        }
      } finally {
        await database.close();
      }
    });

  program
    .command('backup')
    .argument('<file>', 'where to write the backup')
    .description(
      'back up the database: the embedded one (stop the service first) or, with DATABASE_URL, by pg_dump',
    )
    .action(async (file: string) => {
      const config = loadConfig(process.env, { purpose: 'command' });
      const { bytes } = await backup(config, file);
      process.stdout.write(`Backed up to ${file} (${bytes} bytes)\n`);
    });

  program
    .command('restore')
    .argument('<file>', 'a file written by `inspectorate backup`')
    .option('--force', 'replace an embedded database that is already there (it is kept aside, not deleted)')
    .description(
      'restore a backup: into DATA_DIR (stop the service first) or, with DATABASE_URL, by pg_restore',
    )
    .action(async (file: string, options: { force?: boolean }) => {
      const config = loadConfig(process.env, { purpose: 'command' });
      // Refused before anything is moved aside when the service (or another command) has the folder open.
      if (!config.databaseUrl) acquireEmbeddedLock(embeddedLocation(config.dataDir)).release();
      const { keptAside } = await restore(config, file, options);
      process.stdout.write(
        `Restored from ${file}${keptAside ? `; the previous database is in ${keptAside}` : ''}\n`,
      );
    });

  registerUsersCommands(program);
  registerRulesCommands(program);
  registerImportCommands(program);
  registerGenerateCommand(program);

  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(
      `${
        error instanceof ConfigError ||
        error instanceof RangeError ||
        error instanceof BackupError ||
        error instanceof DatabaseUnreachableError ||
        error instanceof EmbeddedLockError
          ? error.message
          : String(error instanceof Error ? error.stack : error)
      }\n`,
    );
    return 1;
  }
}
