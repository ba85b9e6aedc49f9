import fs from 'node:fs';
import path from 'node:path';

/**
 * One process at a time on an embedded data folder. PGlite takes no lock of its own, and two processes
 * writing one folder corrupt it, so the service, and every command that opens the folder, first creates
 * `<folder>.lock` holding its process id. The file is created atomically (it must not exist yet), so of
 * two processes starting together exactly one wins. A lock left by a process that no longer exists
 * (killed, or the machine restarted) is taken over, so a crashed server can start again on its own.
 */

export class EmbeddedLockError extends Error {}

export interface EmbeddedLock {
  file: string;
  /** Removes the lock file, if it is still this process's. Safe to call more than once. */
  release(): void;
}

/** Lock files this process holds, so that a second open inside one process is refused too. */
const held = new Set<string>();

/** The lock file for an embedded database folder: beside it, inside DATA_DIR. */
export function lockFileFor(location: string): string {
  return `${path.resolve(location)}.lock`;
}

export function acquireEmbeddedLock(location: string): EmbeddedLock {
  const file = lockFileFor(location);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Each pass either creates the lock, refuses, or removes a stale lock and tries again.
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file)) return holding(file);
    const owner = readOwner(file);
    if (owner === undefined) continue; // removed between our attempt and the read: try again
    if (owner === null && youngerThan(file, 2000)) {
      // Empty and new: another process is between creating and writing it. Give it a moment.
      pause(100);
      continue;
    }
    if (owner !== null && isRunning(owner, file)) {
      throw new EmbeddedLockError(
        `The embedded database in ${path.dirname(file)} is in use by process ${owner} ` +
          `(lock file ${file}). Stop that process first; only one process may open the folder at a time. ` +
          `If no Inspectorate process has that id, the lock is left over: delete ${file} and try again.`,
      );
    }
    takeOverStale(file, owner);
  }
  throw new EmbeddedLockError(`Could not lock the embedded database: ${file} keeps changing`);
}

function tryCreate(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fs.writeSync(fd, `${process.pid}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** The process id in the lock; null when unreadable (a writer killed mid-write); undefined when gone. */
function readOwner(file: string): number | null | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function youngerThan(file: string, ms: number): boolean {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return stat !== undefined && Date.now() - stat.mtimeMs < ms;
}

function pause(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isRunning(pid: number, file: string): boolean {
  // Our own id in the file means an earlier process with the same id (ids are reused after a restart,
  // and a container's server often gets the same one) unless this process holds it now.
  if (pid === process.pid) return held.has(file);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes a stale lock. Two processes may find the same stale lock; the lock is first renamed to a name
 * of this process's own, and only removed if it still names the dead owner, so a fresh lock another
 * process created in between is put back, not deleted.
 */
function takeOverStale(file: string, staleOwner: number | null) {
  const aside = `${file}.stale-${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readOwner(aside);
  if (moved === staleOwner || moved === null || moved === undefined) {
    fs.rmSync(aside, { force: true });
  } else {
    // Someone else's fresh lock: put it back unless yet another one has appeared meanwhile.
    try {
      fs.linkSync(aside, file);
    } catch {
      // A third lock exists now; the next pass reads it.
    }
    fs.rmSync(aside, { force: true });
  }
}

function holding(file: string): EmbeddedLock {
  held.add(file);
  const onExit = () => release();
  // A process that exits without closing the database (start-up failure) still leaves no lock behind.
  process.once('exit', onExit);
  let released = false;
  function release() {
    if (released) return;
    released = true;
    held.delete(file);
    process.removeListener('exit', onExit);
    if (readOwner(file) === process.pid) fs.rmSync(file, { force: true });
  }
  return { file, release };
}
