import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureCliOutput } from '../../test/support/cli-output.js';

// These commands answer from the rules alone: opening the database would be a fault.
const openDatabase = vi.hoisted(() =>
  vi.fn(() => {
    throw new Error('the rules commands must not open the database');
  }),
);
vi.mock('../db/database.js', () => ({ openDatabase }));

const { runCli } = await import('./main.js');

const output = captureCliOutput();

afterEach(() => {
  expect(openDatabase).not.toHaveBeenCalled();
});

async function run(...argv: string[]) {
  const code = await runCli(argv);
  return { code, stdout: output.stdout, stderr: output.stderr };
}

describe('inspectorate working-days add', () => {
  it('skips the weekends, Christmas Day and Boxing Day', async () => {
    expect(await run('working-days', 'add', '2024-12-20', '5')).toEqual({
      code: 0,
      stdout: '2024-12-31\n',
      stderr: '',
    });
  });

  it('refuses a date that does not exist, naming it', async () => {
    const result = await run('working-days', 'add', '2024-02-30', '5');
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('2024-02-30');
    expect(result.stderr).toContain('February 2024 has 29 days');
    expect(result.stderr).not.toMatch(/\bat .*\.ts/);
  });

  it('refuses a date that is not written YYYY-MM-DD', async () => {
    const result = await run('working-days', 'add', '20/12/2024', '5');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("'20/12/2024' is not a date in the form YYYY-MM-DD");
  });

  it.each(['0', '-1', '1.5', 'five', ''])('refuses %j working days', async (n) => {
    const result = await run('working-days', 'add', '2024-12-20', n);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('must be a whole number of 1 or more');
  });

  it('refuses a missing count, with usage', async () => {
    const result = await run('working-days', 'add', '2024-12-20');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("missing required argument 'n'");
  });
});

describe('inspectorate working-days next, between and is', () => {
  it('gives the next working day after Christmas Eve 2024', async () => {
    expect(await run('working-days', 'next', '2024-12-24')).toEqual({
      code: 0,
      stdout: '2024-12-27\n',
      stderr: '',
    });
  });

  it('counts the working days after one date up to another', async () => {
    expect((await run('working-days', 'between', '2024-12-20', '2024-12-31')).stdout).toBe('5\n');
    output.stdout = '';
    expect((await run('working-days', 'between', '2024-12-31', '2024-12-20')).stdout).toBe('0\n');
  });

  it('names the date at fault in between', async () => {
    const result = await run('working-days', 'between', '2024-12-20', '2024-12-32');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('2024-12-32 is not a real date');
  });

  it('says yes for a working day and no for a bank holiday or weekend, exiting 0 either way', async () => {
    expect(await run('working-days', 'is', '2024-12-24')).toEqual({ code: 0, stdout: 'yes\n', stderr: '' });
    output.stdout = '';
    expect(await run('working-days', 'is', '2024-12-25')).toEqual({ code: 0, stdout: 'no\n', stderr: '' });
    output.stdout = '';
    expect(await run('working-days', 'is', '2024-12-28')).toEqual({ code: 0, stdout: 'no\n', stderr: '' });
  });

  it('documents the answers of is in its help', async () => {
    const result = await run('working-days', 'is', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('print yes if DATE is a working day, otherwise no');
  });
});

describe('inspectorate timeline', () => {
  it('prints the deadlines as one JSON object, under the April 2024 procedure', async () => {
    const result = await run('timeline', '--framework', 'childrens-homes', '--end', '2024-06-14');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    // Fri 14 June 2024: call Mon 17 June; draft 18 working days on, Wed 10 July; 5 more for the answer
    // and the complaint, Wed 17 July; final report 30 working days on, Fri 26 July.
    expect(JSON.parse(result.stdout)).toEqual({
      framework: 'childrens-homes',
      end: '2024-06-14',
      procedure: 'post-inspection-2024-04',
      dayAfterContact: '2024-06-17',
      draftReportDue: '2024-07-10',
      responseDue: '2024-07-17',
      finalReportDue: '2024-07-26',
      complaintDue: '2024-07-17',
      internalReview: false,
    });
  });

  it('gives null for the call where the procedure has none, and the internal review', async () => {
    const result = await run('timeline', '--framework', 'childrens-homes', '--end', '2021-12-17');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      procedure: 'post-inspection-2020',
      dayAfterContact: null,
      draftReportDue: '2022-01-17',
      complaintDue: '2022-02-09',
      internalReview: true,
    });
  });

  it('refuses an unknown framework, listing the known ones', async () => {
    const result = await run('timeline', '--framework', 'nurseries', '--end', '2024-06-14');
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("--framework: There is no inspection framework 'nurseries'");
    expect(result.stderr).toContain('childrens-homes');
  });

  it('gives a last day before September 2020 the procedure in force then', async () => {
    const result = await run('timeline', '--framework', 'childrens-homes', '--end', '2020-08-31');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      procedure: 'post-inspection-before-2020',
      dayAfterContact: null,
      internalReview: true,
    });
  });

  it('refuses a date that does not exist, and a framework not in force on the day', async () => {
    const badDate = await run('timeline', '--framework', 'childrens-homes', '--end', '2024-13-01');
    expect(badDate.code).not.toBe(0);
    expect(badDate.stderr).toContain('2024-13-01 is not a real date: there is no month 13');
    output.stderr = '';
    const retired = await run('timeline', '--framework', 'sif-2013', '--end', '2024-06-14');
    expect(retired.code).not.toBe(0);
    expect(retired.stderr).toContain('SIF was not in force on 14 June 2024');
  });

  it('needs both options', async () => {
    const result = await run('timeline', '--framework', 'childrens-homes');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("required option '--end <date>' not specified");
  });
});
