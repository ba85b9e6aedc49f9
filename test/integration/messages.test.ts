import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverOutbox, type EmailSender } from '../../src/messages/notify.js';
import { listOutbox, queueMessage } from '../../src/messages/store.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';

const kinds = await databaseKinds();

describe.each(kinds)('the outbox on the %s database', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => t?.dispose());

  it('keeps every message, newest first, and delivers each once through Notify when configured', async () => {
    await queueMessage(t.database.db, {
      recipient: 'a@example.invalid',
      template: 't',
      subject: 'First',
      body: 'one',
    });
    await queueMessage(t.database.db, {
      recipient: 'b@example.invalid',
      template: 't',
      subject: 'Second',
      body: 'two',
    });
    const listed = await listOutbox(t.database.db);
    expect(listed.map((m) => m.subject).sort()).toEqual(['First', 'Second']);
    expect(
      (await listOutbox(t.database.db, { recipient: 'a@example.invalid' })).map((m) => m.subject),
    ).toEqual(['First']);

    const sent: { to: string; subject: string; reference: string }[] = [];
    const sender: EmailSender = {
      async sendEmail(_template, to, options) {
        if (to.startsWith('b@')) throw new Error('email_address Not a valid email address');
        sent.push({ to, subject: options.personalisation.subject!, reference: options.reference });
      },
    };
    expect(await deliverOutbox(t.database.db, sender, 'template-id')).toBe(1);
    expect(await deliverOutbox(t.database.db, sender, 'template-id')).toBe(0);
    expect(sent.map((s) => s.to)).toEqual(['a@example.invalid']);
    const after = await listOutbox(t.database.db);
    expect(after.find((m) => m.subject === 'First')).toMatchObject({ delivery: 'notify' });
    expect(after.find((m) => m.subject === 'Second')!.sentAt).toBeNull();
  });
});
