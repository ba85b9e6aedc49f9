/** What the due-and-overdue dashboard calls each kind of deadline, and which team it belongs to. */

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
export const FLAG_KINDS = ['inspection.draft-report-overdue', 'inspection.final-report-overdue'];

const TEAMS: Record<string, string> = {
  complaint: 'Complaints',
  'day-after': 'Day-after contacts',
  report: 'Reports',
  inspection: 'Inspections',
};

/** 'report.presumed-accurate' → 'Presumed accurate', for kinds without a label of their own. */
export function kindLabel(kind: string): string {
  if (KIND_LABELS[kind]) return KIND_LABELS[kind];
  const words = (kind.split('.').slice(1).join(' ') || kind).replaceAll('-', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function teamOf(kind: string): string {
  const prefix = kind.split('.')[0] ?? kind;
  return TEAMS[prefix] ?? prefix.charAt(0).toUpperCase() + prefix.slice(1).replaceAll('-', ' ');
}
