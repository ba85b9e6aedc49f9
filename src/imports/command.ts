import fs from 'node:fs';
import cliProgress from 'cli-progress';
import { CommanderError, type Command } from 'commander';
import { systemClock, today } from '../clock.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { ImportFileError, importProviders, REJECTIONS_SHOWN, type ImportResult } from './store.js';

/** `inspectorate import providers FILE`: the regulator's published provider data into the register. */

/** A file the command refuses. runCli prints a RangeError's message alone and exits with 1. */
class ImportRefused extends RangeError {
  override readonly name = 'ImportRefused';
}

function summaryLine(result: ImportResult): string {
  const counts =
    `${result.rowsRead} rows read: ${result.inserted} inserted, ${result.updated} updated, ` +
    `${result.unchanged} unchanged, ${result.rejected} rejected; ` +
    `${result.outcomesRecorded} published inspection outcomes recorded`;
  return result.status === 'completed'
    ? `Imported ${result.fileName}: ${counts}`
    : `Nothing imported from ${result.fileName} (--strict and ${result.rejected} rejected rows): ${result.rowsRead} rows read`;
}

export function formatReport(result: ImportResult): { stdout: string[]; stderr: string[] } {
  const stdout = [summaryLine(result)];
  if (result.sameAsImport) {
    stdout.push(
      `The same file (sha256 ${result.sha256}) was imported before, at ${result.sameAsImport.finishedAt}`,
    );
  }
  if (result.ignoredColumns.length > 0) stdout.push(`Columns not read: ${result.ignoredColumns.join(', ')}`);
  if (result.status === 'completed' && result.audit === 'summary') {
    stdout.push('Audit trail: one entry for the whole import (too many changes for one entry per provider)');
  }
  stdout.push(`Import ${result.importId}`);
  const stderr: string[] = [];
  if (result.rejected > 0) {
    stderr.push(`Rejected rows (row = line in the file; the header is line 1):`);
    for (const rejection of result.rejections) stderr.push(`row ${rejection.line}: ${rejection.reason}`);
    if (result.rejected > REJECTIONS_SHOWN) stderr.push(`and ${result.rejected - REJECTIONS_SHOWN} more`);
    if (result.rejectsFile) stderr.push(`Every rejected row, with its reasons: ${result.rejectsFile}`);
  }
  return { stdout, stderr };
}

export function registerImportCommands(program: Command): void {
  program
    .command('import')
    .description('import the regulator’s published data')
    .command('providers')
    .description('import a published provider-level CSV into the register (see docs/import.md)')
    .argument('<file>', 'the CSV file, UTF-8, with a header row')
    .option('--strict', 'any rejected row aborts the import and nothing is applied')
    .option('--rejects <file>', 'where to write every rejected row (default: beside FILE, FILE.rejected.csv)')
    .addHelpText(
      'after',
      '\nExit code: 0 when every row was applied or unchanged, 2 when some rows were rejected and the rest ' +
        'applied, 1 when nothing was applied.',
    )
    .action(async (file: string, options: { strict?: boolean; rejects?: string }) => {
      // Before opening the database: a mistyped name should not wait for it.
      if (!fs.existsSync(file)) throw new ImportRefused(`Nothing imported: there is no file ${file}`);
      const config = loadConfig(process.env, { purpose: 'command' });
      // A long job: no statement timeout (the web requests' DATABASE_STATEMENT_TIMEOUT_MS is not for it).
      const database = await openDatabase({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        connectTimeoutMs: config.databaseConnectTimeoutMs,
      });
      const showBar = Boolean(process.stderr.isTTY);
      const bar = showBar
        ? new cliProgress.SingleBar(
            {
              format: 'Importing |{bar}| {percentage}% | {rows} rows | {rate} rows/s | {eta_formatted} left',
              stream: process.stderr,
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          )
        : null;
      const started = Date.now();
      let result: ImportResult;
      try {
        bar?.start(1, 0, { rows: 0, rate: 0 });
        result = await importProviders(database.db, {
          file,
          strict: Boolean(options.strict),
          ...(options.rejects ? { rejectsFile: options.rejects } : {}),
          importedBy: 'operator',
          today: today(systemClock),
          onProgress: ({ bytes, totalBytes, rows }) => {
            const seconds = Math.max((Date.now() - started) / 1000, 0.001);
            bar?.setTotal(Math.max(totalBytes, 1));
            bar?.update(bytes, { rows, rate: Math.round(rows / seconds) });
          },
        });
      } catch (error) {
        if (error instanceof ImportFileError) throw new ImportRefused(`Nothing imported: ${error.message}`);
        throw error;
      } finally {
        bar?.stop();
        await database.close();
      }
      const seconds = (Date.now() - started) / 1000;
      const report = formatReport(result);
      for (const line of report.stderr) process.stderr.write(`${line}\n`);
      for (const line of report.stdout) process.stdout.write(`${line}\n`);
      if (!showBar) {
        process.stderr.write(
          `${result.rowsRead} rows in ${seconds.toFixed(1)} s (${Math.round(result.rowsRead / Math.max(seconds, 0.001))} rows/s)\n`,
        );
      }
      // Through CommanderError, so that runCli returns the code (it prints nothing more for one).
      if (result.status === 'aborted') throw new CommanderError(1, 'import.aborted', 'Nothing imported');
      if (result.rejected > 0) throw new CommanderError(2, 'import.rejected-rows', 'Some rows rejected');
    });
}
