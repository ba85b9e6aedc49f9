import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureCliOutput } from '../../test/support/cli-output.js';
import { table } from './users-commands.js';

// Input the shared account rules refuse is refused before the database is opened (or migrated).
const openDatabase = vi.hoisted(() =>
  vi.fn(() => {
    throw new Error('refused input must not open the database');
  }),
);
vi.mock('../db/database.js', () => ({ openDatabase }));

const { runCli } = await import('./main.js');

const output = captureCliOutput();

afterEach(() => {
  expect(openDatabase).not.toHaveBeenCalled();
});

async function add(...options: string[]) {
  const code = await runCli(['users', 'add', ...options]);
  return { code, stdout: output.stdout, stderr: output.stderr };
}

const someone = ['--email', 'sam@example.gov.uk', '--name', 'Sam Smith'];

describe('inspectorate users add refuses, naming the option, before opening the database', () => {
  it('a role that does not exist, listing those that do', async () => {
    const result = await add(...someone, '--role', 'planner', '--role', 'superuser');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("--role: 'superuser' is not a role. Roles: inspector, manager, planner");
    expect(result.stderr).toContain('administrator');
    expect(result.stderr).not.toMatch(/\bat .*\.ts/);
  });

  it('no role at all', async () => {
    const result = await add(...someone);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("required option '--role <role>' not specified");
  });

  it('an email address that is not one, and an empty name', async () => {
    const result = await add('--email', 'sam.example.gov.uk', '--name', ' ', '--role', 'planner');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--email: Enter an email address in the correct format');
    expect(result.stderr).toContain('--name: Enter the person’s full name');
  });

  it('a provider user without a provider, or with a role of the inspectorate as well', async () => {
    const alone = await add(...someone, '--role', 'provider');
    expect(alone.code).toBe(1);
    expect(alone.stderr).toContain('--provider: Choose the providers this person acts for');
    output.stderr = '';
    const both = await add(...someone, '--role', 'provider', '--role', 'inspector', '--provider', 'SC123456');
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--role: A provider user cannot also hold a role of the inspectorate');
  });

  it('providers or --provider-admin for someone who is not a provider user', async () => {
    const result = await add(...someone, '--role', 'planner', '--provider', 'SC123456', '--provider-admin');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--provider: Only provider users act for providers');
    expect(result.stderr).toContain('--provider-admin: Only provider users can manage their colleagues');
  });
});

describe('table', () => {
  it('lines columns up on the widest cell, with nothing trailing', () => {
    expect(
      table(
        ['EMAIL', 'ACTIVE', 'INVITATION'],
        [
          ['a@x.gov.uk', 'yes', 'accepted'],
          ['longer.name@x.gov.uk', 'no', ''],
        ],
      ),
    ).toEqual([
      'EMAIL                 ACTIVE  INVITATION',
      'a@x.gov.uk            yes     accepted',
      'longer.name@x.gov.uk  no',
    ]);
  });
});
