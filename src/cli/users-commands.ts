import { Option, type Command } from 'commander';
import { systemClock } from '../clock.js';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { useBaseUrl } from '../messages/links.js';
import { accountIdByEmail, listAccountsForCli, type AccountSummary } from '../people/account-queries.js';
import { setAccountActive } from '../people/account-store.js';
import { accountFields, accountProblems, INVITATION_HOURS } from '../people/accounts.js';
import { inviteAccount } from '../people/invitations.js';
import { providerIdsByUrn } from '../people/people-admin-store.js';
import { ROLES } from '../people/rules.js';
import { Refusal, type FieldError } from '../refusal.js';

/**
 * `inspectorate users add | list | disable`: accounts from the operator's command line, so that the first
 * administrator can be made before anyone can sign in. Each opens the database itself (the embedded one
 * only while the service is stopped) and brings its schema up to date first.
 */

/** Input the command refuses. runCli prints a RangeError's message alone and exits with 1. */
class UsersInputError extends RangeError {
  override readonly name = 'UsersInputError';
}

/** The option each field of an account comes from, to name it in a refusal. */
const OPTION_OF: Record<string, string> = {
  email: '--email',
  name: '--name',
  roles: '--role',
  providers: '--provider',
  providerAdmin: '--provider-admin',
};

function refused(errors: FieldError[]): UsersInputError {
  const lines = errors.map(({ field, message }) => {
    const option = OPTION_OF[field.split('.')[0]!] ?? field;
    return `${option}: ${message}`;
  });
  return new UsersInputError(`No account made:\n  ${lines.join('\n  ')}`);
}

/** A repeatable option's values, in the order given. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function print(line = '') {
  process.stdout.write(`${line}\n`);
}

/** Opens the configured database, migrated, for `work`; closed after, whatever happens. */
async function withDatabase<T>(config: Config, work: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
  });
  try {
    const applied = await migrateToLatest(database);
    if (applied.length > 0)
      process.stderr.write(`Database brought up to date (${applied.length} migrations applied)\n`);
    return await work(database);
  } finally {
    await database.close();
  }
}

interface AddOptions {
  email: string;
  name: string;
  role: string[];
  provider?: string[];
  providerAdmin?: boolean;
}

/** The account as given, checked by the rules the administrator's pages use; providers still as URNs. */
function checkedInput(options: AddOptions) {
  const unknown = options.role.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0)
    throw refused([
      {
        field: 'roles',
        message: `${unknown.map((role) => `'${role}'`).join(', ')} ${unknown.length === 1 ? 'is not a role' : 'are not roles'}. Roles: ${ROLES.join(', ')}`,
      },
    ]);
  const parsed = accountFields.omit({ providers: true }).safeParse({
    email: options.email,
    name: options.name,
    roles: [...new Set(options.role)],
    providerAdmin: Boolean(options.providerAdmin),
  });
  if (!parsed.success)
    throw refused(
      parsed.error.issues.map((issue) => ({ field: String(issue.path[0] ?? ''), message: issue.message })),
    );
  const urns = [...new Set((options.provider ?? []).map((urn) => urn.trim()))];
  const problems = accountProblems({
    roles: parsed.data.roles,
    providerIds: urns,
    providerAdmin: parsed.data.providerAdmin,
  });
  if (problems.length > 0) throw refused(problems);
  return { ...parsed.data, urns };
}

function invitationColumn(account: AccountSummary): string {
  switch (account.invitation.kind) {
    case 'accepted':
      return 'accepted';
    case 'pending':
      return `pending until ${instant(account.invitation.until)}`;
    case 'lapsed':
      return 'not accepted; no link in force';
  }
}

function instant(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function rolesColumn(account: AccountSummary): string {
  const roles = account.roles.join(', ');
  const providers = account.providerUrns.length > 0 ? ` for ${account.providerUrns.join(', ')}` : '';
  return `${roles}${account.providerAdmin ? ' (manages colleagues)' : ''}${providers}`;
}

/** Rows of text in columns, each as wide as its widest cell. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export function registerUsersCommands(program: Command): void {
  const users = program
    .command('users')
    .description('accounts: make the first administrator, list everyone, disable a leaver');

  users
    .command('add')
    .description('make an account and print a one-time link with which its person chooses a password')
    .requiredOption('--email <email>', 'the person’s email address, which they sign in with')
    .requiredOption('--name <name>', 'the person’s full name')
    .addOption(
      new Option('--role <role>', `a role (repeat for more): ${ROLES.join(', ')}`)
        .argParser(collect)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option(
        '--provider <urn>',
        'provider users: the URN of a provider they act for (repeat for more)',
      ).argParser(collect),
    )
    .option('--provider-admin', 'provider users: may invite and disable colleagues for their providers')
    .addHelpText(
      'after',
      '\nExample: inspectorate users add --email ann@example.gov.uk --name "Ann Smith" --role administrator' +
        `\nThe link starts with BASE_URL, works once and lasts ${INVITATION_HOURS} hours. No email is sent.`,
    )
    .action(async (options: AddOptions) => {
      const input = checkedInput(options);
      const config = loadConfig(process.env, { purpose: 'command' });
      useBaseUrl(config.baseUrl);
      const invitation = await withDatabase(config, (database) =>
        database.db.transaction().execute(async (trx) => {
          let providerIds: string[];
          try {
            providerIds = await providerIdsByUrn(trx, input.urns);
          } catch (error) {
            if (!(error instanceof Refusal)) throw error;
            throw refused(error.errors);
          }
          try {
            return await inviteAccount(
              trx,
              {
                email: input.email,
                name: input.name,
                roles: input.roles,
                providerIds,
                providerAdmin: input.providerAdmin,
              },
              null,
              systemClock.now(),
              { send: false },
            );
          } catch (error) {
            if (!(error instanceof Refusal)) throw error;
            if (error.errors.length === 0) throw new UsersInputError(`No account made: ${error.detail}`);
            throw refused(error.errors.map((e) => ({ ...e, message: `${e.message}: ${input.email}` })));
          }
        }),
      );
      print(`Account made for ${input.name} <${input.email}> (${input.roles.join(', ')}).`);
      print(
        `Give them this link to choose a password. It works once and lasts ${INVITATION_HOURS} hours; ` +
          'no email has been sent:',
      );
      print();
      print(invitation.invitationUrl);
    });

  users
    .command('list')
    .description('print every account: email, name, roles, active, last sign-in and invitation')
    .action(async () => {
      const config = loadConfig(process.env, { purpose: 'command' });
      const accounts = await withDatabase(config, (database) =>
        listAccountsForCli(database.db, systemClock.now()),
      );
      if (accounts.length === 0) {
        print('No accounts yet. Make the first with: inspectorate users add --role administrator …');
        return;
      }
      const rows = accounts.map((account) => [
        account.email,
        account.name,
        rolesColumn(account),
        account.active ? 'yes' : 'no',
        account.lastSignedInAt ? instant(account.lastSignedInAt) : 'never',
        invitationColumn(account),
      ]);
      for (const line of table(['EMAIL', 'NAME', 'ROLES', 'ACTIVE', 'LAST SIGN-IN', 'INVITATION'], rows))
        print(line);
    });

  users
    .command('disable')
    .description('disable an account: it can no longer sign in, and its sessions and API tokens end at once')
    .requiredOption('--email <email>', 'the email address of the account')
    .action(async (options: { email: string }) => {
      const email = options.email.trim().toLowerCase();
      const config = loadConfig(process.env, { purpose: 'command' });
      const changed = await withDatabase(config, (database) =>
        database.db.transaction().execute(async (trx) => {
          const id = await accountIdByEmail(trx, email);
          if (!id)
            throw new UsersInputError(`Nothing disabled: --email: there is no account with email ${email}`);
          return setAccountActive(trx, id, false, null);
        }),
      );
      print(
        changed
          ? `Disabled ${email}: it can no longer sign in, and its sessions and API tokens have ended.`
          : `${email} was already disabled.`,
      );
    });
}
