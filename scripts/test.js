// `npm test`: every vitest project (unit, integration, browser), then one line CI can read: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

const root = path.resolve(import.meta.dirname, '..');
const ci = process.env.CI === 'true';
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresAnswers() {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

// On a machine without them, install Chromium and PostgreSQL (or start PostgreSQL) when allowed to.
const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
if ((!existsSync(chromium) || !(await postgresAnswers())) && canInstall && !process.env.CHROMIUM_PATH) {
  const prepared = spawnSync('bash', [path.join(root, 'scripts', 'prepare-test-env.sh')], {
    stdio: 'inherit',
  });
  if (prepared.status !== 0) console.warn('Preparing the test machine failed; see above.');
}

const missing = [];
if (!existsSync(chromium))
  missing.push(`Chromium is not installed at ${chromium}: the browser tests cannot run`);
if (!(await postgresAnswers()))
  missing.push(`PostgreSQL at ${databaseUrl} is not answering: the tests on the real server cannot run`);
if (missing.length > 0) {
  const line = '!'.repeat(100);
  console.warn(`\n${line}\n${missing.map((m) => `!!! ${m}`).join('\n')}`);
  console.warn(
    ci
      ? '!!! CI=true: each of these is a FAILURE, not a skip.'
      : '!!! They are skipped here; under CI=true they fail.',
  );
  console.warn(`${line}\n`);
}

const results = path.join(root, 'test-results', 'vitest.json');
mkdirSync(path.dirname(results), { recursive: true });
rmSync(results, { force: true });
const vitest = spawnSync(
  path.join(root, 'node_modules', '.bin', 'vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(results)) {
  const report = JSON.parse(readFileSync(results, 'utf8'));
  passed = report.numPassedTests;
  skipped = report.numPendingTests + report.numTodoTests;
  // A file that fails before its tests run (an import error, a failing beforeAll) counts once.
  failed =
    report.numFailedTests +
    report.testResults.filter(
      (file) => file.status === 'failed' && !file.assertionResults.some((t) => t.status === 'failed'),
    ).length;
} else {
  console.error(`vitest wrote no results to ${results}`);
}
if (failed === 0 && vitest.status !== 0) failed = 1; // an error outside any test still fails the run

if (skipped > 0) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || vitest.status !== 0 ? 1 : 0);
