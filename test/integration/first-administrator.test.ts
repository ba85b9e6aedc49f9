import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEmail } from '../../src/demo/people.js';
import {
  CHILD_DEMO_PASSWORD,
  createScratchDatabase,
  killAllChildren,
  runCommand,
  startServerProcess,
  type ScratchDatabase,
  type ServerProcess,
} from '../support/child-server.js';
import { databaseKinds } from '../support/databases.js';

/**
 * Running for real, from nothing: with no demo data, the operator makes the first administrator on the
 * command line before the service has ever started; that administrator takes the account up through its
 * one-time link, invites a planner through the API, and later disables the planner, whose token stops
 * working at once. The service runs as a separate process, as an operator would start it.
 */

const kinds = await databaseKinds();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'inspectorate-first-admin-'));
const BASE_URL = 'https://inspect.example.gov.uk';

afterAll(async () => {
  await killAllChildren();
  fs.rmSync(scratch, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(
  server: ServerProcess,
  method: string,
  url: string,
  options: { token?: string; body?: unknown } = {},
): Promise<Answer> {
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The token parameter of a one-time link. */
function tokenOf(link: string): string {
  const token = new URL(link).searchParams.get('token');
  expect(token).toBeTruthy();
  return token!;
}

async function signIn(server: ServerProcess, email: string, password: string): Promise<Answer> {
  return call(server, 'POST', '/api/tokens', { body: { email, password } });
}

describe.each(kinds)('the first administrator on a new %s database, with no demo data', (kind) => {
  let database: ScratchDatabase | undefined;
  let env: Record<string, string>;
  let server: ServerProcess;
  let adminLink: string;
  let adminToken: string;
  let plannerId: string;
  let plannerVersion: number;
  let plannerToken: string;

  const admin = { email: 'ada.admin@example.gov.uk', password: 'brass lantern orchard 42' };
  const planner = { email: 'pip.planner@example.gov.uk', password: 'quiet river meadow 17' };

  beforeAll(async () => {
    const where: Record<string, string> =
      kind === 'postgres'
        ? { DATABASE_URL: (database = await createScratchDatabase('first_admin')).url }
        : { DATA_DIR: path.join(scratch, 'data') };
    env = { ...where, DEMO_DATA: '0', BASE_URL };
  }, 60_000);

  afterAll(async () => {
    await server?.kill('SIGTERM');
    await database?.drop();
  });

  it('makes the administrator on the command line before the service has started, and prints a link', async () => {
    // No SESSION_SECRET: only the server needs it.
    const added = await runCommand(
      ['users', 'add', '--email', admin.email, '--name', 'Ada Admin', '--role', 'administrator'],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
    const link = /^(https:\S+)$/m.exec(added.stdout)?.[1];
    expect(link).toMatch(new RegExp(`^${BASE_URL}/account/set-password\\?token=`));
    adminLink = link!;
  }, 180_000);

  it('starts with nobody else: no demo account exists', async () => {
    server = await startServerProcess(`first-admin-${kind}`, {
      ...env,
      SESSION_SECRET: randomBytes(24).toString('hex'),
    });
    expect((await signIn(server, demoEmail('planner'), CHILD_DEMO_PASSWORD)).status).toBe(401);
    expect((await signIn(server, 'admin@demo.invalid', CHILD_DEMO_PASSWORD)).status).toBe(401);
    // Nor can the administrator sign in before choosing a password.
    expect((await signIn(server, admin.email, admin.password)).status).toBe(401);
  }, 240_000);

  it('accepting the link gives a working sign-in, and the link works once only', async () => {
    const token = tokenOf(adminLink);
    const accepted = await call(server, 'POST', '/api/invitations/accept', {
      body: { token, password: admin.password },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(204);
    const again = await call(server, 'POST', '/api/invitations/accept', {
      body: { token, password: 'another long password 99' },
    });
    expect(again.status).toBe(400);

    const signedIn = await signIn(server, admin.email, admin.password);
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(201);
    adminToken = signedIn.body.token as string;
    const me = await call(server, 'GET', '/api/me', { token: adminToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: admin.email, roles: ['administrator'] });
  });

  it('the administrator invites a planner through the API, who accepts and signs in', async () => {
    const invited = await call(server, 'POST', '/api/people', {
      token: adminToken,
      body: { email: planner.email, name: 'Pip Planner', roles: ['planner'] },
    });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    expect(invited.body).toMatchObject({ email: planner.email, roles: ['planner'], active: true });
    expect(invited.body.invitationUrl).toMatch(new RegExp(`^${BASE_URL}/account/set-password\\?token=`));
    plannerId = invited.body.id as string;

    const accepted = await call(server, 'POST', '/api/invitations/accept', {
      body: { token: tokenOf(invited.body.invitationUrl as string), password: planner.password },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(204);
    const signedIn = await signIn(server, planner.email, planner.password);
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(201);
    plannerToken = signedIn.body.token as string;
    expect((await call(server, 'GET', '/api/me', { token: plannerToken })).status).toBe(200);

    // The version after accepting, as the administrator reads it now.
    const read = await call(server, 'GET', `/api/people/${plannerId}`, { token: adminToken });
    expect(read.status).toBe(200);
    plannerVersion = read.body.version as number;
  });

  it('a planner may not see or manage accounts', async () => {
    const list = await call(server, 'GET', '/api/people', { token: plannerToken });
    expect([403, 404]).toContain(list.status);
    expect(JSON.stringify(list.body)).not.toContain(admin.email);
  });

  it('disabling the planner ends their token at once, and they can no longer sign in', async () => {
    const disabled = await call(server, 'PATCH', `/api/people/${plannerId}`, {
      token: adminToken,
      body: { active: false, version: plannerVersion },
    });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    expect(disabled.body).toMatchObject({ active: false });

    expect((await call(server, 'GET', '/api/me', { token: plannerToken })).status).toBe(401);
    expect((await signIn(server, planner.email, planner.password)).status).toBe(401);
    // The administrator is untouched.
    expect((await call(server, 'GET', '/api/me', { token: adminToken })).status).toBe(200);
  });
});
