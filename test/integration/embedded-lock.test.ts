import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  killAllChildren,
  runCommand,
  startServerProcess,
  tokenFrom,
  type ServerProcess,
} from '../support/child-server.js';

/**
 * One process at a time on an embedded data folder: PGlite takes no lock itself, and two processes on
 * one folder corrupt it. The real service runs as a child process; a second server and the commands
 * that open the folder are refused while it runs, and a server killed with SIGKILL can start again.
 */

let dataDir: string;
let first: ServerProcess | undefined;

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspectorate-lock-'));
});

afterAll(async () => {
  await killAllChildren();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const env = () => ({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });

async function providersSeenBy(server: ServerProcess): Promise<number> {
  const token = await tokenFrom(server, 'planner');
  const response = await fetch(`${server.url}/api/providers`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: unknown[] }).items.length;
}

describe('the embedded data folder is opened by one process at a time', () => {
  it('refuses a second server on the same folder, naming the folder and the process holding it', async () => {
    first = await startServerProcess('first', env());
    const before = await providersSeenBy(first);

    const second = await startServerProcess('second', env()).then(
      (server) => ({ server, error: null }),
      (error: Error) => ({ server: null, error }),
    );
    expect(second.server).toBeNull();
    expect(second.error?.message).toContain('exited before it was healthy');
    expect(second.error?.message).toContain(`in use by process ${first.pid}`);
    expect(second.error?.message).toContain(dataDir);

    // The first is untouched and still answers with the same data.
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    expect(await providersSeenBy(first)).toBe(before);
  });

  it.each([
    'backup backup-while-running.tgz',
    'restore --force no-such-backup.tgz',
    'audit verify',
    'migrate',
    'users list',
  ])('refuses `inspectorate %s` while the server runs', async (line) => {
    const args = line.split(' ');
    // Backup files go beside the data folder, not into it.
    const command = args.map((a) => (a.endsWith('.tgz') ? `${dataDir}-${a}` : a));
    const result = await runCommand(command, env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`in use by process ${first!.pid}`);
    // Nothing was moved aside or written.
    expect(fs.readdirSync(dataDir).sort()).toEqual(['pgdata', 'pgdata.lock']);
    for (const file of command.filter((a) => a.endsWith('.tgz'))) expect(fs.existsSync(file)).toBe(false);
    expect((await fetch(`${first!.url}/healthz`)).status).toBe(200);
  });

  it('takes over the lock left by a server killed with SIGKILL, keeping its data', async () => {
    const before = await providersSeenBy(first!);
    await first!.kill('SIGKILL');
    // The dead process's lock is still there: nothing removed it.
    expect(fs.readFileSync(path.join(dataDir, 'pgdata.lock'), 'utf8').trim()).toBe(String(first!.pid));

    const again = await startServerProcess('again', env());
    expect(fs.readFileSync(path.join(dataDir, 'pgdata.lock'), 'utf8').trim()).toBe(String(again.pid));
    expect(await providersSeenBy(again)).toBe(before);

    // A clean stop removes the lock, and the folder opens for a command again.
    await again.kill('SIGTERM');
    expect(fs.existsSync(path.join(dataDir, 'pgdata.lock'))).toBe(false);
    const verify = await runCommand(['audit', 'verify'], env());
    expect(verify.stderr).toBe('');
    expect(verify.stdout).toContain('Audit trail intact');
    expect(fs.existsSync(path.join(dataDir, 'pgdata.lock'))).toBe(false);
  });
});
