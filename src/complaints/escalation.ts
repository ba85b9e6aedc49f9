import type { Db } from '../db/database.js';
import { emailsOfRole, tell } from '../messages/store.js';
import { HANDLING_FINDINGS, type HandlingFinding } from './rules.js';
import { takeStep, update } from './handling.js';

/** After the response: the internal review of how a complaint was handled, and the adjudicator (ICASO). */

export async function requestInternalReview(
  db: Db,
  actorId: string,
  id: string,
  grounds: string,
  now: Date,
): Promise<void> {
  await takeStep(db, id, 'request-review', now, undefined, async (trx, row) => {
    await update(
      trx,
      actorId,
      'complaint.internal-review-requested',
      row,
      { status: 'review-requested', internal_review_requested_at: now, internal_review_grounds: grounds },
      now,
    );
    await tell(trx, await emailsOfRole(trx, 'complaints'), {
      template: 'complaint-internal-review-requested',
      subject: `Internal review asked for: complaint ${row.reference}`,
      body: `The complainant has asked for an internal review of how complaint ${row.reference} was handled.\n\nGrounds: ${grounds}`,
    });
  });
}

export async function decideInternalReview(
  db: Db,
  actorId: string,
  id: string,
  input: { finding: HandlingFinding; reasons: string },
  now: Date,
): Promise<void> {
  await takeStep(db, id, 'decide-review', now, undefined, async (trx, row) => {
    await update(
      trx,
      actorId,
      'complaint.internal-review-decided',
      row,
      {
        status: 'reviewed',
        internal_review_outcome: input.finding,
        internal_review_reasons: input.reasons,
        internal_review_at: now,
      },
      now,
    );
    await tell(trx, [row.complainant_email], {
      template: 'complaint-internal-review-outcome',
      subject: `The internal review of your complaint ${row.reference}`,
      body: [
        `Dear ${row.complainant_name},`,
        `We have reviewed how your complaint was handled. Finding: ${HANDLING_FINDINGS[input.finding]}.`,
        input.reasons,
        'If you remain unhappy with how your complaint was handled, you can escalate it to the Independent Complaints Adjudication Service for Ofsted (ICASO).',
      ].join('\n\n'),
    });
  });
}

export async function escalateComplaint(
  db: Db,
  actorId: string,
  id: string,
  grounds: string,
  now: Date,
): Promise<void> {
  await takeStep(db, id, 'escalate', now, undefined, async (trx, row) => {
    await update(
      trx,
      actorId,
      'complaint.escalated',
      row,
      { status: 'escalated', escalated_at: now, escalation_grounds: grounds },
      now,
    );
    const recipients = [
      ...(await emailsOfRole(trx, 'adjudicator')),
      ...(await emailsOfRole(trx, 'complaints')),
    ];
    await tell(trx, recipients, {
      template: 'complaint-escalated',
      subject: `Complaint ${row.reference} escalated to ICASO`,
      body: `The complainant has escalated complaint ${row.reference} to the Independent Complaints Adjudication Service for Ofsted.\n\nGrounds: ${grounds}`,
    });
  });
}

export async function ruleOnComplaint(
  db: Db,
  actorId: string,
  id: string,
  input: { ruling: HandlingFinding; reasons: string },
  now: Date,
): Promise<void> {
  await takeStep(db, id, 'rule', now, undefined, async (trx, row) => {
    await update(
      trx,
      actorId,
      'complaint.ruled',
      row,
      {
        status: 'ruled',
        adjudicator_ruling: input.ruling,
        adjudicator_reasons: input.reasons,
        adjudicator_ruled_at: now,
      },
      now,
    );
    const body = [
      `The Independent Complaints Adjudication Service for Ofsted has considered how complaint ${row.reference} was handled. Ruling: ${HANDLING_FINDINGS[input.ruling]}.`,
      input.reasons,
      'ICASO’s remit is the handling of the complaint: the inspection and its judgements are not changed by this ruling.',
    ].join('\n\n');
    const subject = `ICASO’s ruling on complaint ${row.reference}`;
    await tell(trx, [row.complainant_email], { template: 'complaint-ruling', subject, body });
    await tell(trx, await emailsOfRole(trx, 'complaints'), { template: 'complaint-ruling', subject, body });
  });
}
