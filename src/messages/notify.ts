import type { FastifyInstance } from 'fastify';
import { NotifyClient } from 'notifications-node-client';
import type { Db } from '../db/database.js';

/** The one call of GOV.UK Notify's client used here, so tests can stand in for it. */
export interface EmailSender {
  sendEmail(
    templateId: string,
    emailAddress: string,
    options: { personalisation: Record<string, string>; reference: string },
  ): Promise<unknown>;
}

/**
 * Sends what is waiting in the outbox through one Notify template whose personalisation carries the
 * subject and body. Each message is claimed under a row lock, so two processes never send it twice.
 */
export async function deliverOutbox(
  db: Db,
  sender: EmailSender,
  templateId: string,
  limit = 50,
): Promise<number> {
  let sent = 0;
  for (let i = 0; i < limit; i++) {
    const delivered = await db.transaction().execute(async (trx) => {
      const message = await trx
        .selectFrom('outbox')
        .selectAll()
        .where('sent_at', 'is', null)
        .where('last_error', 'is', null)
        .orderBy('created_at')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!message) return null;
      try {
        await sender.sendEmail(templateId, message.recipient, {
          personalisation: { subject: message.subject, body: message.body },
          reference: message.id,
        });
        await trx
          .updateTable('outbox')
          .set({ sent_at: new Date(), delivery: 'notify' })
          .where('id', '=', message.id)
          .execute();
        return true;
      } catch (error) {
        // Left for a person to look at: Notify refuses for reasons a retry will not mend (bad address, key).
        await trx
          .updateTable('outbox')
          .set({ last_error: String(error instanceof Error ? error.message : error).slice(0, 2000) })
          .where('id', '=', message.id)
          .execute();
        return false;
      }
    });
    if (delivered === null) break;
    if (delivered) sent++;
  }
  return sent;
}

export function startNotifyDelivery(
  app: FastifyInstance,
  notify: { apiKey: string; templateId: string },
  intervalSeconds = 30,
) {
  const client = new NotifyClient(notify.apiKey) as unknown as EmailSender;
  const timer = setInterval(() => {
    deliverOutbox(app.db, client, notify.templateId).catch((error: unknown) =>
      app.log.error({ err: error }, 'Notify delivery failed'),
    );
  }, intervalSeconds * 1000);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
