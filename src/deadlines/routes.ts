import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { englishDate } from '../clock.js';
import { complaintLabels, flaggedComplaints } from '../complaints/store.js';
import type { Db } from '../db/database.js';
import { dayAfterLabels } from '../day-after/store.js';
import { authorise } from '../web/access.js';
import { problemSchema } from '../web/problem.js';

/** What is due and overdue across the service, for staff: every pending deadline with what it is about. */

const KIND_LABELS: Record<string, string> = {
  'complaint.acknowledgement-overdue': 'Acknowledge the complaint',
  'complaint.response-overdue': 'Respond to the complaint',
  'day-after.outcome-overdue': 'Call the provider and record the outcome',
  'report.response-reminder': 'Remind the provider to answer the draft report',
  'report.presume-accurate': 'Draft report presumed accurate unless answered',
  'inspection.draft-report-overdue': 'Issue the draft report',
  'inspection.final-report-overdue': 'Finalise the report',
};

/** Deadlines that, once they have acted, stay on the dashboard as overdue until resolved. */
const FLAG_KINDS = ['inspection.draft-report-overdue', 'inspection.final-report-overdue'];

const TEAMS: Record<string, string> = {
  complaint: 'Complaints',
  'day-after': 'Day-after contacts',
  report: 'Reports',
  inspection: 'Inspections',
};

/** 'report.presumed-accurate' → 'Presumed accurate', for kinds without a label of their own. */
function kindLabel(kind: string): string {
  if (KIND_LABELS[kind]) return KIND_LABELS[kind];
  const words = (kind.split('.').slice(1).join(' ') || kind).replaceAll('-', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function teamOf(kind: string): string {
  const prefix = kind.split('.')[0] ?? kind;
  return TEAMS[prefix] ?? prefix.charAt(0).toUpperCase() + prefix.slice(1).replaceAll('-', ' ');
}

interface Subject {
  id: string;
  label: string;
  href: string | null;
}

/** Names what each deadline is about: complaints, day-after contacts, reports or inspections. */
async function subjectsOf(db: Db, ids: string[]): Promise<Map<string, Subject>> {
  const subjects = new Map<string, Subject>();
  if (ids.length === 0) return subjects;
  for (const [id, label] of await complaintLabels(db, ids)) {
    subjects.set(id, { id, label, href: `/complaints/${id}` });
  }
  for (const [id, label] of await dayAfterLabels(db, ids)) {
    subjects.set(id, { id, label, href: `/day-after-contacts/${id}` });
  }
  const rest = ids.filter((id) => !subjects.has(id));
  if (rest.length > 0) {
    const reports = await db
      .selectFrom('reports as r')
      .innerJoin('inspections as i', 'i.id', 'r.inspection_id')
      .innerJoin('providers as p', 'p.id', 'i.provider_id')
      .select(['r.id', 'i.id as inspection_id', 'p.name'])
      .where('r.id', 'in', rest)
      .execute();
    for (const r of reports) {
      subjects.set(r.id, {
        id: r.id,
        label: `Report on ${r.name}`,
        href: `/inspections/${r.inspection_id}/report`,
      });
    }
    const inspections = await db
      .selectFrom('inspections as i')
      .innerJoin('providers as p', 'p.id', 'i.provider_id')
      .select(['i.id', 'p.name', 'i.start_date'])
      .where('i.id', 'in', rest)
      .execute();
    for (const i of inspections) {
      if (!subjects.has(i.id)) {
        subjects.set(i.id, { id: i.id, label: `Inspection of ${i.name}`, href: `/inspections/${i.id}` });
      }
    }
  }
  return subjects;
}

export interface DueItem {
  id: string;
  kind: string;
  label: string;
  team: string;
  dueAt: string;
  /** The last day, in England, before the deadline passes. */
  dueBy: string;
  overdue: boolean;
  /** The deadline has acted (flagged overdue) but what it waited for is still not done. */
  flagged: boolean;
  subject: Subject;
}

/** Pending deadlines and flagged complaints, grouped by team; in each, overdue first, then soonest. */
export async function dueAndOverdue(db: Db, now: Date, team?: string) {
  const pending = await db
    .selectFrom('deadlines')
    .select(['id', 'kind', 'subject_id', 'due_at'])
    .where('status', '=', 'pending')
    .orderBy('due_at')
    .limit(1000)
    .execute();
  const flagged = await flaggedComplaints(db);
  const raised = await db
    .selectFrom('deadlines')
    .select(['id', 'kind', 'subject_id', 'due_at'])
    .where('status', '=', 'done')
    .where('kind', 'in', FLAG_KINDS)
    .orderBy('due_at')
    .limit(1000)
    .execute();
  const subjects = await subjectsOf(db, [...new Set([...pending, ...raised].map((d) => d.subject_id))]);
  const dueBy = (at: Date) => englishDate(new Date(at.getTime() - 1));
  const items: DueItem[] = [
    ...flagged.map((f) => ({
      id: f.id,
      kind: f.kind,
      label: kindLabel(f.kind),
      team: teamOf(f.kind),
      dueAt: f.dueAt,
      dueBy: dueBy(new Date(f.dueAt)),
      overdue: true,
      flagged: true,
      subject: { id: f.complaintId, label: `Complaint ${f.reference}`, href: `/complaints/${f.complaintId}` },
    })),
    ...[
      ...raised.map((d) => ({ ...d, flagged: true })),
      ...pending.map((d) => ({ ...d, flagged: false })),
    ].map((d) => {
      const at = new Date(d.due_at);
      return {
        id: d.id,
        kind: d.kind,
        label: kindLabel(d.kind),
        team: teamOf(d.kind),
        dueAt: at.toISOString(),
        dueBy: dueBy(at),
        overdue: d.flagged || at.getTime() < now.getTime(),
        flagged: d.flagged,
        subject: subjects.get(d.subject_id) ?? { id: d.subject_id, label: d.subject_id, href: null },
      };
    }),
  ];
  const teams = [...new Set(items.map((i) => i.team))].sort();
  const shown = team ? items.filter((i) => i.team === team) : items;
  const groups = [...new Set(shown.map((i) => i.team))].sort().map((name) => ({
    team: name,
    items: shown
      .filter((i) => i.team === name)
      .sort(
        (a, b) =>
          Number(b.overdue) - Number(a.overdue) ||
          a.dueAt.localeCompare(b.dueAt) ||
          a.kind.localeCompare(b.kind),
      ),
  }));
  return {
    now: now.toISOString(),
    overdue: shown.filter((i) => i.overdue).length,
    due: shown.filter((i) => !i.overdue).length,
    teams,
    groups,
  };
}

const subjectSchema = z.object({ id: z.string(), label: z.string(), href: z.string().nullable() });
const dueSchema = z.object({
  now: z.string(),
  overdue: z.number().int(),
  due: z.number().int(),
  teams: z.array(z.string()),
  groups: z.array(
    z.object({
      team: z.string(),
      items: z.array(
        z.object({
          id: z.string(),
          kind: z.string(),
          label: z.string(),
          team: z.string(),
          dueAt: z.string(),
          dueBy: z.string(),
          overdue: z.boolean(),
          flagged: z.boolean(),
          subject: subjectSchema,
        }),
      ),
    }),
  ),
});

export async function deadlineRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/api/deadlines/due',
    {
      schema: {
        tags: ['deadlines'],
        summary:
          'What is due and overdue (staff): pending deadlines and complaints flagged overdue, by team, overdue first',
        querystring: z.object({ team: z.string().max(100).optional() }),
        response: {
          200: dueSchema,
          401: problemSchema,
          403: problemSchema,
        },
      },
    },
    async (request) => {
      authorise(request, 'deadlines.dashboard');
      return dueAndOverdue(app.db, app.clock.now(), request.query.team);
    },
  );

  app.get('/due', { schema: { hide: true } }, async (request, reply) => {
    authorise(request, 'deadlines.dashboard');
    const team = (request.query as { team?: unknown }).team;
    const chosen = typeof team === 'string' && team !== '' ? team : undefined;
    const due = await dueAndOverdue(app.db, app.clock.now(), chosen);
    return reply.page('deadlines/views/due.njk', { title: 'Due and overdue', due, team: chosen });
  });
}
