import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createPGlite, embeddedLocation } from './database.js';

const run = promisify(execFile);

/**
 * Backup and restore. The embedded database is copied whole, as PGlite's own archive of its data folder
 * (the service must be stopped: only one process may open it). A server is dumped with PostgreSQL's own
 * pg_dump in its custom format and restored with pg_restore, which must be on the PATH.
 */
export interface BackupTarget {
  databaseUrl: string | null;
  dataDir: string;
}

export async function backup(target: BackupTarget, file: string): Promise<{ bytes: number }> {
  const partial = `${file}.partial`;
  if (target.databaseUrl) {
    await run('pg_dump', ['--format=custom', '--no-owner', `--file=${partial}`, target.databaseUrl]);
  } else {
    const location = embeddedLocation(target.dataDir);
    if (!fs.existsSync(path.join(location, 'PG_VERSION'))) {
      throw new BackupError(`There is no embedded database in ${target.dataDir} to back up`);
    }
    const pglite = await createPGlite(location);
    try {
      const archive = await pglite.dumpDataDir('gzip');
      fs.writeFileSync(partial, Buffer.from(await archive.arrayBuffer()));
    } finally {
      await pglite.close();
    }
  }
  // Renamed only once complete, so a backup file is never half written.
  fs.renameSync(partial, file);
  return { bytes: fs.statSync(file).size };
}

export async function restore(target: BackupTarget, file: string, options: { force?: boolean } = {}) {
  if (!fs.existsSync(file)) throw new BackupError(`No backup file at ${file}`);
  if (target.databaseUrl) {
    await run('pg_restore', ['--clean', '--if-exists', '--no-owner', `--dbname=${target.databaseUrl}`, file]);
    return { keptAside: null };
  }
  const location = embeddedLocation(target.dataDir);
  let keptAside: string | null = null;
  if (fs.existsSync(location) && fs.readdirSync(location).length > 0) {
    if (!options.force) {
      throw new BackupError(
        `${target.dataDir} already holds a database; restore with --force to keep it aside and replace it`,
      );
    }
    keptAside = `${location}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(location, keptAside);
  }
  const archive = new Blob([fs.readFileSync(file)]);
  const pglite = await createPGlite(location, archive);
  await pglite.close();
  return { keptAside };
}

export class BackupError extends Error {}
