import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import { recordAudit } from '../audit/store.js';
import type { Db } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import { procedureFor } from '../frameworks/rules.js';
import { notFound } from '../web/problem.js';

type Trx = Transaction<Schema>;

export type ComplaintChannel = 'portal' | 'phone' | 'email' | 'draft-response';

export interface NewComplaint {
  inspectionId: string;
  channel: ComplaintChannel;
  complainantName: string;
  complainantEmail: string | null;
  summary: string;
  /** The day it reached the regulator (today for the portal; the day of the call or email otherwise). */
  receivedOn: string;
}

/** A reference a complainant can quote: C- and eight letters or digits. */
function newReference(): string {
  return `C-${randomBytes(5).toString('hex').toUpperCase().slice(0, 8)}`;
}

/**
 * Takes in a complaint about an inspection, under the complaints procedure in force on the inspection's
 * last day. Runs in the caller's transaction when given one (a formal complaint made as the answer to a
 * draft report is recorded with that answer).
 */
export async function raiseComplaint(
  trx: Trx | Db,
  actorId: string | null,
  input: NewComplaint,
): Promise<{ id: string; reference: string }> {
  const inspection = await trx
    .selectFrom('inspections')
    .select(['id', 'end_date'])
    .where('id', '=', input.inspectionId)
    .executeTakeFirst();
  if (!inspection) throw notFound();
  const procedure = procedureFor(inspection.end_date);
  const reference = newReference();
  const { id } = await trx
    .insertInto('complaints')
    .values({
      reference,
      inspection_id: input.inspectionId,
      procedure_id: procedure.id,
      channel: input.channel,
      complainant_name: input.complainantName,
      complainant_email: input.complainantEmail,
      summary: input.summary,
      received_on: input.receivedOn,
      raised_by: actorId,
      acknowledged_at: null,
      outcome: null,
      outcome_reasons: null,
      closed_at: null,
      internal_review_requested_at: null,
      internal_review_outcome: null,
      internal_review_at: null,
      escalated_at: null,
      adjudicator_ruling: null,
      adjudicator_reasons: null,
      adjudicator_ruled_at: null,
      handler_id: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await recordAudit(trx, {
    actorId,
    action: 'complaint.received',
    entityType: 'complaint',
    entityId: id,
    before: null,
    after: { ...input, reference, procedure: procedure.id },
  });
  return { id, reference };
}

/** Whether a complaint about the inspection is still open: its report is not published meanwhile. */
export async function hasOpenComplaint(trx: Trx | Db, inspectionId: string): Promise<boolean> {
  const open = await trx
    .selectFrom('complaints')
    .select('id')
    .where('inspection_id', '=', inspectionId)
    .where('closed_at', 'is', null)
    .executeTakeFirst();
  return open !== undefined;
}
