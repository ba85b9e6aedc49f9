import { randomBytes } from 'node:crypto';
import { recordAudit } from '../audit/store.js';
import { inTransaction, type Db, type Trx } from '../db/database.js';
import type { ConcernsTable } from '../db/schema.js';

/** A concern as it arrives, from the public form, from staff taking a call or email, or from a notification. */
export interface NewConcern {
  /** The provider on the register it is about, when known; the public form names it in words instead. */
  providerId: string | null;
  /** The provider as the person raising the concern described it (name, town, reference if they know it). */
  providerDescription: string;
  channel: ConcernsTable['channel'];
  summary: string;
  raiserName: string | null;
  raiserEmail: string | null;
  raiserRelationship: string | null;
  /** When it reached the regulator. */
  receivedAt: Date;
  /** The serious-event notification it was raised from, if any. */
  notificationId?: string | null;
}

/** A reference a person raising a concern can quote: CON- and eight letters or digits. */
function newConcernReference(): string {
  return `CON-${randomBytes(5).toString('hex').toUpperCase().slice(0, 8)}`;
}

/**
 * Records a concern about a provider, awaiting risk assessment. It never creates an inspection: a planner
 * decides what to do with it. Runs in the caller's transaction when given one (a concern raised while a
 * notification is reviewed lands with that review).
 */
export async function recordConcern(
  trx: Trx | Db,
  actorId: string | null,
  input: NewConcern,
): Promise<{ id: string; reference: string }> {
  return inTransaction(trx, async (trx) => {
    const reference = newConcernReference();
    const { id } = await trx
      .insertInto('concerns')
      .values({
        reference,
        provider_id: input.providerId,
        provider_description: input.providerDescription,
        channel: input.channel,
        summary: input.summary,
        raiser_name: input.raiserName,
        raiser_email: input.raiserEmail,
        raiser_relationship: input.raiserRelationship,
        received_at: input.receivedAt,
        risk_level: null,
        decision: null,
        decision_reasons: null,
        bring_forward_to: null,
        decided_by: null,
        decided_at: null,
        notification_id: input.notificationId ?? null,
        raised_by: actorId,
        created_at: input.receivedAt,
        updated_at: input.receivedAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId,
      action: 'concern.received',
      entityType: 'concern',
      entityId: id,
      before: null,
      after: { ...input, reference },
    });
    return { id, reference };
  });
}
