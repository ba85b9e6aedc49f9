import { englishDate } from '../clock.js';
import type { Db } from '../db/database.js';
import type { DemoPeople } from '../demo/people.js';
import { describeProvider, type ConcernDecision, type RiskLevel } from './rules.js';
import { assessConcern, recordConcern } from './store.js';

const DAY = 24 * 3600_000;

interface DemoConcern {
  home: number | null;
  own?: boolean;
  daysAgo: number;
  channel: 'public-form' | 'phone' | 'email';
  summary: string;
  relationship: string | null;
  raiser?: { name: string | null; email: string | null };
  decision?: { riskLevel: RiskLevel; decision: ConcernDecision; reasons: string; daysLater: number };
}

const CONCERNS: DemoConcern[] = [
  {
    home: 0,
    daysAgo: 2,
    channel: 'public-form',
    summary:
      'My son told me that at the weekend there were only two staff on shift for five children, and that a new agency worker shouted at him and took his phone away for the whole evening.',
    relationship: 'parent-or-carer',
    raiser: { name: 'A parent', email: 'a.parent@example.invalid' },
  },
  {
    home: null,
    daysAgo: 5,
    channel: 'public-form',
    summary:
      'Children from the home are often out late at night near the shops without an adult and look frightened.',
    relationship: 'other',
  },
  {
    home: 1,
    daysAgo: 1,
    channel: 'phone',
    summary:
      'A teacher at the local school called: a child placed at the home has missed school for three weeks and staff have not answered the school’s emails.',
    relationship: 'professional',
    raiser: { name: 'Head of year', email: null },
  },
  {
    home: 0,
    daysAgo: 20,
    channel: 'email',
    summary:
      'A former member of staff says medication records are filled in at the end of the week rather than when medicines are given.',
    relationship: 'staff',
    decision: {
      riskLevel: 'high',
      decision: 'bring-forward',
      reasons:
        'Medication practice is a repeated theme for this home and a second concern this month mentions staffing. Bring the full inspection forward; no immediate risk to life identified.',
      daysLater: 2,
    },
  },
  {
    home: 2,
    daysAgo: 10,
    channel: 'phone',
    summary:
      'A placing social worker reports that a 14-year-old has been missing from the home three times this week and the home did not tell the police the last time.',
    relationship: 'professional',
    decision: {
      riskLevel: 'immediate',
      decision: 'inspect-now',
      reasons:
        'Repeated missing episodes not reported to the police put a child at risk of exploitation. Inspect without notice now; the local authority designated officer has been told.',
      daysLater: 0,
    },
  },
  {
    home: 1,
    daysAgo: 40,
    channel: 'public-form',
    summary: 'Neighbours say there is shouting from the home most evenings.',
    relationship: 'other',
    decision: {
      riskLevel: 'medium',
      decision: 'monitor',
      reasons:
        'No child named and no harm described. The home was judged good six months ago. Watch for notifications and further concerns; weigh again at the next planning round.',
      daysLater: 3,
    },
  },
  {
    home: 3,
    daysAgo: 60,
    channel: 'email',
    summary: 'The home’s minibus was parked across my drive twice this month.',
    relationship: 'other',
    decision: {
      riskLevel: 'low',
      decision: 'no-action',
      reasons: 'A parking dispute, not about the care of children. The writer was told to contact the home.',
      daysLater: 1,
    },
  },
  {
    home: 0,
    own: true,
    daysAgo: 3,
    channel: 'public-form',
    summary:
      'A young person says the home’s Wi-Fi is switched off at 9pm as a punishment for the whole house.',
    relationship: 'child-or-young-person',
  },
];

/**
 * Concerns in every state about the demo homes, received relative to today: new ones waiting for a
 * planner, and decided ones (bring forward about two months ahead, inspect now, monitor, no action).
 * Recorded quietly: they are history, so nobody is sent a message about them.
 */
export async function seedConcernsDemo(db: Db, people: DemoPeople): Promise<void> {
  const now = Date.now();
  for (const concern of CONCERNS) {
    const homes = concern.own ? people.ownHomes : people.otherHomes;
    const providerId = concern.home === null ? null : (homes[concern.home % homes.length] ?? null);
    const provider = providerId
      ? await db
          .selectFrom('providers')
          .select(['name', 'town', 'urn'])
          .where('id', '=', providerId)
          .executeTakeFirstOrThrow()
      : null;
    const receivedAt = new Date(now - concern.daysAgo * DAY);
    const staff = concern.channel !== 'public-form';
    const { id } = await recordConcern(
      db,
      staff ? people.plannerId : null,
      {
        providerId,
        providerDescription: provider
          ? describeProvider(
              provider.name,
              provider.town,
              concern.channel === 'public-form' ? undefined : provider.urn,
            )
          : describeProvider('Sunny Days children’s home', 'somewhere near Bristol', undefined),
        channel: concern.channel,
        summary: concern.summary,
        raiserName: concern.raiser?.name ?? null,
        raiserEmail: concern.raiser?.email ?? null,
        raiserRelationship: concern.relationship,
        receivedAt,
      },
      { quietly: true },
    );
    if (concern.decision) {
      const { daysLater, ...decision } = concern.decision;
      const decidedAt = new Date(receivedAt.getTime() + daysLater * DAY + 3600_000);
      await assessConcern(
        db,
        people.plannerId,
        id,
        {
          ...decision,
          bringForwardTo:
            decision.decision === 'bring-forward' ? englishDate(new Date(now + 60 * DAY)) : undefined,
          version: 1,
        },
        decidedAt,
      );
    }
  }
}
