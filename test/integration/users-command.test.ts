import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import {
  killAllChildren,
  runCommand,
  createScratchDatabase,
  type ScratchDatabase,
} from '../support/child-server.js';
import { databaseKinds } from '../support/databases.js';

/**
 * `inspectorate users …` as an operator runs it: the real command line as a child process, on a new
 * embedded folder (in demo mode by default, where a command must still make no demo data) and on a new
 * PostgreSQL database given by DATABASE_URL with no SESSION_SECRET.
 */

const kinds = await databaseKinds();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'inspectorate-users-'));
const BASE_URL = 'https://inspect.example.gov.uk';

afterAll(async () => {
  await killAllChildren();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe.each(kinds)('inspectorate users on the %s database', (kind) => {
  let env: Record<string, string>;
  let server: ScratchDatabase | undefined;
  const dataDir = path.join(scratch, kind);

  beforeAll(async () => {
    if (kind === 'postgres') {
      server = await createScratchDatabase('users_command');
      env = { DATABASE_URL: server.url, BASE_URL };
    } else {
      env = { DATA_DIR: dataDir, BASE_URL };
    }
  }, 60_000);

  afterAll(async () => {
    await server?.drop();
  });

  const users = (...args: string[]) => runCommand(['users', ...args], env);

  it('migrates a database that was never started, without a session secret', async () => {
    const migrate = await runCommand(['migrate'], env);
    expect(migrate.stderr).toBe('');
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('0026_accounts');
  }, 180_000);

  it('makes an administrator and prints a one-time link on BASE_URL that lasts 72 hours', async () => {
    const added = await users(
      'add',
      '--email',
      'Ann.Admin@Example.gov.uk',
      '--name',
      'Ann Admin',
      '--role',
      'administrator',
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('Account made for Ann Admin <ann.admin@example.gov.uk> (administrator)');
    expect(added.stdout).toContain('lasts 72 hours');
    expect(added.stdout).toMatch(
      new RegExp(`^${BASE_URL}/account/set-password\\?token=[A-Za-z0-9_-]{40,}$`, 'm'),
    );
  }, 120_000);

  it('refuses an unknown role, naming it and the roles there are, before opening the database', async () => {
    const result = await users('add', '--email', 'bo@example.gov.uk', '--name', 'Bo', '--role', 'boss');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("--role: 'boss' is not a role");
    expect(result.stderr).toContain('administrator');
    expect(result.stderr).toContain('planner');
  }, 60_000);

  it('refuses a provider URN that is not on the register, naming the URN', async () => {
    const result = await users(
      'add',
      ...['--email', 'pat@provider.example', '--name', 'Pat Provider', '--role', 'provider'],
      ...['--provider', 'SC999999'],
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      '--provider: There is no provider with the unique reference number SC999999',
    );
  }, 120_000);

  it('refuses an email that already has an account, whatever its case', async () => {
    const result = await users(
      'add',
      ...['--email', 'ann.admin@EXAMPLE.gov.uk', '--name', 'Another Ann', '--role', 'planner'],
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--email: An account with this email address already exists');
    expect(result.stderr).toContain('ann.admin@example.gov.uk');
  }, 120_000);

  it('disables an account, and refuses an email with no account', async () => {
    const added = await users(
      'add',
      '--email',
      'leo@example.gov.uk',
      '--name',
      'Leo Leaver',
      '--role',
      'planner',
    );
    expect(added.code).toBe(0);
    const disabled = await users('disable', '--email', 'Leo@example.gov.uk');
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toContain('Disabled leo@example.gov.uk');
    const unknown = await users('disable', '--email', 'nobody@example.gov.uk');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--email: there is no account with email nobody@example.gov.uk');
  }, 240_000);

  it('lists every account, with roles, whether active, last sign-in and the invitation, and no demo data', async () => {
    const list = await users('list');
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^EMAIL\s+NAME\s+ROLES\s+ACTIVE\s+LAST SIGN-IN\s+INVITATION$/);
    // Only the two accounts made here: no command made the demo accounts, even in demo mode.
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      /^ann\.admin@example\.gov\.uk\s+Ann Admin\s+administrator\s+yes\s+never\s+pending until /,
    );
    expect(lines[2]).toMatch(/^leo@example\.gov\.uk\s+Leo Leaver\s+planner\s+no\s+never\s+not accepted/);
  }, 120_000);

  it('records each change in the audit trail, made by nobody signed in', async () => {
    const database = await openDatabase({ databaseUrl: server?.url ?? null, dataDir });
    try {
      const entries = await database.db
        .selectFrom('audit_events')
        .select(['action', 'actor_id'])
        .where('entity_type', '=', 'person')
        .orderBy('id')
        .execute();
      expect(entries).toEqual([
        { action: 'person.created', actor_id: null },
        { action: 'person.created', actor_id: null },
        { action: 'person.disabled', actor_id: null },
      ]);
    } finally {
      await database.close();
    }
  }, 60_000);
});
