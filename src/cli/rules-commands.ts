import type { Command } from 'commander';
import {
  addWorkingDays,
  isWorkingDay,
  nextWorkingDay,
  parseIsoDate,
  workingDaysBetween,
} from '../calendar/working-days.js';
import { frameworks } from '../frameworks/frameworks.js';
import { timelineAnswer } from '../frameworks/reference.js';
import { RuleError } from '../frameworks/rules.js';

/**
 * Commands that answer from the regulator's rules and the working-day calendar alone. None of them opens
 * the database or reads the configuration.
 */

/** Input the command line refuses. runCli prints a RangeError's message alone and exits with 1. */
class InputError extends RangeError {
  override readonly name = 'InputError';
}

function print(line: string) {
  process.stdout.write(`${line}\n`);
}

/** A count of days: a whole number of 1 or more, written in digits. */
function wholeNumber(text: string, name: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) {
    throw new InputError(`${name} must be a whole number of 1 or more, not '${text}'`);
  }
  return Number(text);
}

function date(text: string, name: string): string {
  return parseIsoDate(text.trim(), name);
}

export function registerRulesCommands(program: Command): void {
  const workingDays = program
    .command('working-days')
    .description('working days in England and Wales: Monday to Friday, except bank holidays')
    .addHelpText('after', '\nDates are written YYYY-MM-DD. Each count starts on the day after DATE.');

  workingDays
    .command('add')
    .description('print the date N working days after DATE')
    .argument('<date>', 'the day to count from, YYYY-MM-DD')
    .argument('<n>', 'how many working days to add: a whole number of 1 or more')
    .addHelpText('after', '\nExample: inspectorate working-days add 2024-12-20 5 prints 2024-12-31')
    .action((from: string, n: string) => {
      const start = date(from, 'date');
      print(addWorkingDays(start, wholeNumber(n, 'N')));
    });

  workingDays
    .command('next')
    .description('print the first working day after DATE')
    .argument('<date>', 'YYYY-MM-DD')
    .action((on: string) => print(nextWorkingDay(date(on, 'date'))));

  workingDays
    .command('between')
    .description(
      'print how many working days fall after FROM, up to and including TO (0 if TO is not after FROM)',
    )
    .argument('<from>', 'YYYY-MM-DD')
    .argument('<to>', 'YYYY-MM-DD')
    .action((from: string, to: string) =>
      print(String(workingDaysBetween(date(from, 'from'), date(to, 'to')))),
    );

  workingDays
    .command('is')
    .description('print yes if DATE is a working day, otherwise no (the exit code is 0 either way)')
    .argument('<date>', 'YYYY-MM-DD')
    .action((on: string) => print(isWorkingDay(date(on, 'date')) ? 'yes' : 'no'));

  const known = frameworks.map((framework) => framework.id).join(', ');
  program
    .command('timeline')
    .description('print, as JSON, the deadlines after an inspection that ended on a given day')
    .requiredOption('--framework <id>', `the inspection framework: ${known}`)
    .requiredOption('--end <date>', 'the last day of the inspection, YYYY-MM-DD')
    .addHelpText(
      'after',
      '\nThe JSON has framework, end, procedure (the id of the post-inspection procedure in force), ' +
        'dayAfterContact (null where the procedure has no such call), draftReportDue, responseDue, ' +
        'finalReportDue, complaintDue and internalReview (true or false), as GET /api/timeline gives it.',
    )
    .action((options: { framework: string; end: string }) => {
      try {
        print(JSON.stringify(timelineAnswer(options.framework.trim(), options.end.trim()), null, 2));
      } catch (error) {
        if (error instanceof RuleError) throw new InputError(`--${error.field}: ${error.message}`);
        throw error;
      }
    });
}
