import { englishDate } from '../clock.js';
import { complaintLabels, flaggedComplaints } from '../complaints/store.js';
import type { Db } from '../db/database.js';
import { dayAfterLabels } from '../day-after/store.js';
import { FLAG_KINDS, kindLabel, teamOf } from './rules.js';

/**
 * What is due and overdue across the service, for staff: every pending deadline with what it is about.
 * It reads across capabilities (complaints, day-after contacts, reports, inspections) to name each
 * deadline's subject, so it is a file of its own rather than part of the deadlines' store.
 */

export interface Subject {
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
