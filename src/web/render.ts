import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { PROVIDER_STATUSES, PROVIDER_TYPES, SECTORS, APPLICATION_STATUSES } from '../providers/rules.js';
import { ROLE_LABELS } from '../people/rules.js';
import {
  DIALOGUE_KINDS,
  EVIDENCE_SOURCES,
  FLAW_CONDITIONS,
  INSPECTION_STATUSES,
  INSPECTION_TYPES,
  NOTICE_TYPES,
} from '../inspections/rules.js';
import { POINT_DECISIONS, REPORT_STATUSES, RESPONSE_ROUTES } from '../reports/rules.js';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const govukFrontendDir = path.resolve(srcDir, '../node_modules/govuk-frontend/dist');

/** One template environment: our views by their path under src/, and the GOV.UK macros. */
export const templates = new nunjucks.Environment(new nunjucks.FileSystemLoader([srcDir, govukFrontendDir]), {
  autoescape: true,
  throwOnUndefined: false,
  noCache: process.env.NODE_ENV !== 'production' && process.env.TEMPLATE_CACHE === '0',
});

const longDate = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
const dateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/London',
});

/** 2024-06-14 → 14 June 2024, as GOV.UK writes dates. */
templates.addFilter('govukDate', (value: string | null | undefined) => {
  if (!value) return '';
  // The date before any time; a far one a record may hold is written +010000-01-03 (from 9999-12-31).
  const date = new Date(`${value.split('T')[0]}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? value : longDate.format(date);
});
templates.addFilter('govukDateTime', (value: string | Date | null | undefined) =>
  value ? dateTime.format(new Date(value)) : '',
);
templates.addFilter('number', (value: number) => new Intl.NumberFormat('en-GB').format(value));

const labels: Record<string, Record<string, string>> = {
  providerType: PROVIDER_TYPES,
  providerStatus: PROVIDER_STATUSES,
  sector: SECTORS,
  applicationStatus: APPLICATION_STATUSES,
  role: ROLE_LABELS,
  inspectionType: INSPECTION_TYPES,
  notice: NOTICE_TYPES,
  inspectionStatus: INSPECTION_STATUSES,
  evidenceSource: EVIDENCE_SOURCES,
  flawCondition: FLAW_CONDITIONS,
  dialogueKind: DIALOGUE_KINDS,
  judgementKind: { inspector: 'Given by the inspector', moderation: 'Moderated' },
  reportStatus: REPORT_STATUSES,
  responseRoute: RESPONSE_ROUTES,
  pointDecision: POINT_DECISIONS,
};
templates.addFilter('label', (value: string, kind: string) => labels[kind]?.[value] ?? value);

/** Options for a GOV.UK select or radios from a code → label table, with the current value chosen. */
templates.addGlobal(
  'optionsOf',
  (table: Record<string, string> | readonly string[], current: string | null | undefined, blank?: string) => {
    const entries = Array.isArray(table)
      ? table.map((value) => [value, value])
      : Object.entries(table as Record<string, string>);
    const options = entries.map(([value, text]) => ({ value, text, selected: value === current }));
    return blank === undefined ? options : [{ value: '', text: blank, selected: !current }, ...options];
  },
);

templates.addGlobal('radiosOf', (table: Record<string, string>, current: string | null | undefined) =>
  Object.entries(table).map(([value, text]) => ({ value, text, checked: value === current })),
);

/** Error summary items linking to each field, and a lookup of each field's message. */
templates.addGlobal('errorList', (errors: { field: string; message: string }[] | undefined) =>
  (errors ?? []).map((e) => ({ text: e.message, href: `#${e.field}` })),
);
/** Every message for a group of fields (`team` covers `team`, `team-2`…), as one error message. */
templates.addGlobal(
  'errorsFor',
  (errors: { field: string; message: string }[] | undefined, prefix: string) => {
    const found = (errors ?? []).filter((e) => e.field === prefix || e.field.startsWith(`${prefix}-`));
    return found.length ? { html: found.map((e) => escapeHtml(e.message)).join('<br>') } : undefined;
  },
);
templates.addGlobal('errorFor', (errors: { field: string; message: string }[] | undefined, field: string) => {
  const found = (errors ?? []).find((e) => e.field === field);
  return found ? { text: found.message } : undefined;
});

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const catalogues = { PROVIDER_TYPES, PROVIDER_STATUSES, SECTORS, APPLICATION_STATUSES, ROLE_LABELS };
for (const [name, value] of Object.entries(catalogues)) templates.addGlobal(name, value);
const inspectionCatalogues = {
  INSPECTION_TYPES,
  NOTICE_TYPES,
  INSPECTION_STATUSES,
  EVIDENCE_SOURCES,
  DIALOGUE_KINDS,
  FLAW_CONDITIONS,
};
for (const [name, value] of Object.entries(inspectionCatalogues)) templates.addGlobal(name, value);

export function renderTemplate(name: string, context: object): string {
  return templates.render(name, context);
}
