import { demoEmail } from '../../src/demo/people.js';
import type { Role } from '../../src/people/rules.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { TEST_DATABASE_URL } from './databases.js';

/**
 * The real service as a separate operating-system process (`bin/inspectorate.js`), for tests that kill
 * it, restart it or run two of it at once. Every child is remembered so that `killAllChildren` can end
 * them whatever happened to the test.
 */

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/inspectorate.js');
export const CHILD_DEMO_PASSWORD = 'demo-password-for-tests';

const children = new Set<ChildProcess>();

/** A port nobody is listening on now. A child cannot be given port 0, because we must know where it is. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Only what an operator would set. The test runner's own variables are left out: vitest sets
 * BASE_URL='/', which the configuration rightly refuses.
 */
function cleanEnv(env: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    ...env,
  };
}

export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** JSON log lines (pino) the process wrote. */
  logs(): Record<string, unknown>[];
  /** Kills the process with a signal and waits until it has gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<number | null>;
}

/**
 * Starts `inspectorate serve` with the given settings and waits until `/healthz` answers 200. A slow
 * machine gets a generous allowance; a process that exits first fails with its own output.
 */
export async function startServerProcess(
  name: string,
  env: Record<string, string>,
  timeoutMs = 180_000,
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: cleanEnv({
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      DEMO_PASSWORD: CHILD_DEMO_PASSWORD,
      SIGN_IN_RATE_LIMIT: '10000',
      SIGN_IN_ADDRESS_RATE_LIMIT: '10000',
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? (signal ? -1 : null));
    });
  });
  let gone = false;
  void exited.then(() => (gone = true));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone) throw new Error(`${name} exited before it was healthy:\n${output.slice(-4000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not healthy within ${timeoutMs} ms:\n${output.slice(-4000)}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }

  return {
    name,
    url,
    pid: child.pid!,
    output: () => output,
    logs: () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (!gone) child.kill(signal);
      await exited;
    },
    exited,
  };
}

/** Ends every child still running (for afterAll, whatever state a failed test left). */
export async function killAllChildren(): Promise<void> {
  const waiting = [...children].map(
    (child) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  );
  await Promise.all(waiting);
}

/** Runs an `inspectorate` command (not `serve`) to its end, with the given settings. */
export async function runCommand(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cleanEnv({ LOG_LEVEL: 'silent', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) =>
    child.once('exit', (exitCode) => {
      children.delete(child);
      resolve(exitCode);
    }),
  );
  return { code, stdout, stderr };
}

export interface ScratchDatabase {
  /** The address a child process is given as DATABASE_URL. */
  url: string;
  /** The same database, with `application_name` set, so its connections can be told apart. */
  urlAs(applicationName: string): string;
  drop(): Promise<void>;
}

/**
 * A new, empty database on the test server, because a child process has no way to be told a schema.
 * Dropped with every connection to it closed first.
 */
export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const base = new URL(TEST_DATABASE_URL);
  base.pathname = `/${name}`;
  const url = base.toString();
  return {
    url,
    urlAs(applicationName: string) {
      const named = new URL(url);
      named.searchParams.set('application_name', applicationName);
      return named.toString();
    },
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A bearer token for a demo account from a running process. */
export async function tokenFrom(server: ServerProcess, role: string): Promise<string> {
  const response = await fetch(`${server.url}/api/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: demoEmail(role as Role), password: CHILD_DEMO_PASSWORD }),
  });
  if (response.status !== 201) throw new Error(`no token for ${role}: ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}
