import { systemClock, englishDate } from '../clock.js';
import type { Db } from '../db/database.js';
import type { DemoPeople } from '../demo/people.js';
import { createPerson } from '../people/store.js';
import type { ReviewOutcome, ToldParty } from './rules.js';
import { reviewNotification, submitNotification } from './store.js';

interface DemoNotification {
  /** 'own' homes are the demo provider account's; 'other' homes are notified by another home's manager. */
  home: ['own' | 'other', number];
  categoryId: string;
  daysAgo: number;
  whatHappened: string;
  actionsTaken: string;
  told: ToldParty[];
  toldOther?: string;
  review?: { outcome: ReviewOutcome; daysAfter: number; notes: string; bringForwardInDays?: number };
}

const DAY = 86_400_000;

/**
 * A year of notifications across the categories: some waiting for review, some reviewed with each
 * outcome. Messages are not queued for them: none of this was ever sent.
 */
const DEMO_NOTIFICATIONS: DemoNotification[] = [
  {
    home: ['own', 0],
    categoryId: 'missing-child',
    daysAgo: 9,
    whatHappened:
      'Child A (15) did not return from college and was missing overnight. Police found A in another town the next afternoon.',
    actionsTaken:
      'Reported missing to police after 2 hours, as the missing-from-care protocol says. Return-home interview arranged; safety plan reviewed with the social worker.',
    told: ['placing-authority', 'police', 'parents-or-carers'],
  },
  {
    home: ['own', 1],
    categoryId: 'self-harm',
    daysAgo: 44,
    whatHappened:
      'Child B (14) cut their arm in their bedroom; staff gave first aid and took B to the emergency department.',
    actionsTaken: 'Risk assessment updated, room checks increased, CAMHS appointment brought forward.',
    told: ['placing-authority', 'parents-or-carers'],
    review: {
      outcome: 'no-further-action',
      daysAfter: 3,
      notes: 'Proportionate response; the home acted promptly and the plan is sound.',
    },
  },
  {
    home: ['own', 0],
    categoryId: 'police-involvement',
    daysAgo: 121,
    whatHappened:
      'Two children fought in the lounge; one threatened staff with a knife from the kitchen. Police attended.',
    actionsTaken: 'Knives now locked away; staffing increased at evenings; both placements reviewed.',
    told: ['placing-authority', 'police', 'host-authority'],
    review: {
      outcome: 'concern-raised',
      daysAfter: 4,
      notes: 'Third incident with police involvement this year; risk assessment of knives was missing.',
    },
  },
  {
    home: ['own', 1],
    categoryId: 'infectious-disease',
    daysAgo: 300,
    whatHappened: 'Norovirus: three children and two staff unwell over four days.',
    actionsTaken: 'Advice from the health protection team followed; deep clean; visits paused for 48 hours.',
    told: ['other'],
    toldOther: 'UK Health Security Agency health protection team',
    review: { outcome: 'no-further-action', daysAfter: 2, notes: 'Handled as public health advised.' },
  },
  {
    home: ['own', 0],
    categoryId: 'other',
    daysAgo: 4,
    whatHappened: 'A fire started in the laundry room at night; the alarm worked and everyone left safely.',
    actionsTaken: 'Fire service attended; dryer taken out of use; fire risk assessment being redone.',
    told: ['placing-authority', 'other'],
    toldOther: 'Fire and rescue service',
  },
  {
    home: ['other', 0],
    categoryId: 'allegation-of-abuse',
    daysAgo: 16,
    whatHappened: 'Child C said a night worker grabbed their arm and pushed them into their room.',
    actionsTaken: 'The worker is suspended; LADO consulted; strategy meeting held.',
    told: ['placing-authority', 'lado', 'police'],
    review: {
      outcome: 'inspection-brought-forward',
      daysAfter: 5,
      notes: 'Second allegation about night staff in six months; inspect sooner to look at night-time care.',
      bringForwardInDays: 40,
    },
  },
  {
    home: ['other', 1],
    categoryId: 'serious-assault',
    daysAgo: 61,
    whatHappened: 'Child D was assaulted by a group of young people in the park near the home.',
    actionsTaken: 'Hospital treatment; police investigating; D’s plan and route to school changed.',
    told: ['placing-authority', 'police', 'parents-or-carers'],
  },
  {
    home: ['other', 2],
    categoryId: 'sexual-exploitation',
    daysAgo: 92,
    whatHappened:
      'Staff found messages suggesting that child E (16) is being groomed by an adult met online.',
    actionsTaken: 'Phone handed to police; exploitation screening tool completed; strategy meeting held.',
    told: ['placing-authority', 'police', 'lado'],
    review: {
      outcome: 'concern-raised',
      daysAfter: 6,
      notes: 'Exploitation risks at this home have come up before; a planner should assess them together.',
    },
  },
  {
    home: ['other', 0],
    categoryId: 'serious-illness-or-accident',
    daysAgo: 203,
    whatHappened: 'Child F broke a wrist falling from a trampoline during an outing.',
    actionsTaken: 'Treated in hospital; activity risk assessment reviewed.',
    told: ['placing-authority', 'parents-or-carers'],
    review: { outcome: 'no-further-action', daysAfter: 2, notes: 'An accident, handled well.' },
  },
  {
    home: ['other', 3],
    categoryId: 'dbs-referral',
    daysAgo: 150,
    whatHappened:
      'A residential worker was dismissed after a disciplinary hearing about conduct with children.',
    actionsTaken: 'Referral made to the Disclosure and Barring Service; safer recruitment checks audited.',
    told: ['lado', 'other'],
    toldOther: 'Disclosure and Barring Service',
  },
  {
    home: ['other', 1],
    categoryId: 'child-protection-inquiry-instigated',
    daysAgo: 14,
    whatHappened:
      'The placing authority began a section 47 enquiry after child G disclosed harm at a family visit.',
    actionsTaken: 'Family contact suspended pending the enquiry; G is supported by their key worker.',
    told: ['placing-authority', 'host-authority'],
    review: {
      outcome: 'inspection-brought-forward',
      daysAfter: 3,
      notes: 'Several child protection enquiries this year; bring the inspection forward.',
      bringForwardInDays: 75,
    },
  },
  {
    home: ['other', 2],
    categoryId: 'serious-complaint-about-staff',
    daysAgo: 330,
    whatHappened: 'A parent complained that staff shouted at and belittled their child at mealtimes.',
    actionsTaken: 'Complaint investigated; two staff retrained; the parent has had a written reply.',
    told: ['placing-authority', 'parents-or-carers'],
    review: { outcome: 'no-further-action', daysAfter: 5, notes: 'Investigated properly by the home.' },
  },
];

export async function seedNotificationsDemo(db: Db, people: DemoPeople): Promise<void> {
  const now = systemClock.now();
  const otherHomes = people.otherHomes.slice(0, 4);
  // The other homes' registered manager: an account that exists to have sent these, without a password.
  const otherManagerId = await createPerson(db, {
    email: 'registered-manager.other-homes@demo.invalid',
    name: 'Demo registered manager of other homes',
    passwordHash: '',
    roles: ['provider'],
    providerIds: otherHomes,
  });
  const reviewers = [people.plannerId, people.inspectorId, people.managerId];
  for (const [index, demo] of DEMO_NOTIFICATIONS.entries()) {
    const [whose, which] = demo.home;
    const providerId = whose === 'own' ? people.ownHomes[which % people.ownHomes.length] : otherHomes[which];
    if (!providerId) continue;
    const happened = new Date(now.getTime() - demo.daysAgo * DAY);
    const sentAt = new Date(Math.min(happened.getTime() + DAY / 2, now.getTime()));
    const { id } = await submitNotification(
      db,
      whose === 'own' ? people.providerUserId : otherManagerId,
      {
        providerId,
        categoryId: demo.categoryId,
        eventDate: englishDate(happened),
        whatHappened: demo.whatHappened,
        actionsTaken: demo.actionsTaken,
        told: demo.told,
        toldOther: demo.toldOther ?? null,
      },
      sentAt,
      { tell: false },
    );
    if (!demo.review) continue;
    const reviewedAt = new Date(Math.min(sentAt.getTime() + demo.review.daysAfter * DAY, now.getTime()));
    await reviewNotification(
      db,
      reviewers[index % reviewers.length]!,
      id,
      {
        outcome: demo.review.outcome,
        notes: demo.review.notes,
        bringForwardTo:
          demo.review.bringForwardInDays === undefined
            ? null
            : englishDate(new Date(now.getTime() + demo.review.bringForwardInDays * DAY)),
        version: 1,
      },
      reviewedAt,
      { tell: false },
    );
  }
}
