import type { Db } from '../db/database.js';
import { checkNewPassword } from '../people/password-rules.js';
import { hashPassword } from '../people/passwords.js';
import { ROLES, ROLE_LABELS, type Role } from '../people/rules.js';
import { countPeople, createPerson } from '../people/store.js';
import type { ProviderInput, ProviderType } from '../providers/rules.js';
import { createApplication, createOwnerGroup, createProvider, moveApplication } from '../providers/store.js';
import {
  closeLineOfEnquiry,
  openLineOfEnquiry,
  recordDialogue,
  recordEvidence,
} from '../inspections/evidence.js';
import { giveFeedback } from '../inspections/feedback.js';
import { giveJudgement } from '../inspections/judgements.js';
import { createInspection, moveInspection } from '../inspections/store.js';
import type { EvidenceSource } from '../inspections/rules.js';
import { ManualClock, englishDate, systemClock, type Clock } from '../clock.js';
import { respondToComplaint } from '../complaints/close.js';
import { escalateComplaint } from '../complaints/escalation.js';
import { acknowledgeComplaint } from '../complaints/handling.js';
import { raiseComplaint } from '../complaints/store.js';
import { inspectionRecord } from '../inspections/record.js';
import { issueDraft } from '../reports/drafts.js';
import { finaliseReport, publishReport } from '../reports/publication.js';
import { seedConcernsDemo } from '../concerns/demo.js';
import { seedNotificationsDemo } from '../notifications/demo.js';
import { seedPlanningDemo } from '../planning/demo.js';
import { demoEmail, type DemoPeople } from './people.js';

/** One demo account per role, all with the demo password. */
export const DEMO_PEOPLE: { email: string; name: string; role: Role }[] = ROLES.map((role) => ({
  email: demoEmail(role),
  name: `Demo ${ROLE_LABELS[role].replace(/ \(.*\)$/, '').toLowerCase()}`,
  role,
}));

const LOCAL_AUTHORITIES: [string, string, string][] = [
  ['Newcastle upon Tyne', 'North East', 'NE1'],
  ['Sunderland', 'North East', 'SR1'],
  ['Manchester', 'North West', 'M1'],
  ['Lancashire', 'North West', 'PR1'],
  ['Leeds', 'Yorkshire and The Humber', 'LS1'],
  ['Sheffield', 'Yorkshire and The Humber', 'S1'],
  ['Derbyshire', 'East Midlands', 'DE1'],
  ['Nottingham', 'East Midlands', 'NG1'],
  ['Birmingham', 'West Midlands', 'B1'],
  ['Shropshire', 'West Midlands', 'SY1'],
  ['Norfolk', 'East of England', 'NR1'],
  ['Essex', 'East of England', 'CM1'],
  ['Hillingdon', 'London', 'UB8'],
  ['Southwark', 'London', 'SE1'],
  ['Kent', 'South East', 'ME14'],
  ['Slough', 'South East', 'SL1'],
  ['Devon', 'South West', 'EX1'],
  ['Bristol', 'South West', 'BS1'],
];

const OWNER_GROUPS = [
  'Brightpath Care Group',
  'Harbour Children’s Services',
  'Meadowview Homes',
  'Northern Lights Care',
  'Oak Tree Residential',
  'Riverside Family Partnership',
];

const HOME_NAMES = [
  'Oakfield House',
  'Willow Lodge',
  'The Beeches',
  'Rowan Cottage',
  'Hawthorn View',
  'Meadow Bank',
  'Larch Court',
  'Heather House',
  'Ash Grove',
  'Elm Lodge',
  'Birch House',
  'Cedar Cottage',
  'Maple Court',
  'Holly Bank',
  'Juniper House',
  'Fern Lodge',
  'Linden House',
  'Sycamore View',
  'Poplar Cottage',
  'Alder House',
  'Hazel Lodge',
  'Yew Tree House',
  'Chestnut Court',
  'Primrose House',
];

/** Demo register: every type of provider, spread over the regions, several owner groups. */
function demoProviders(ownerGroupIds: string[]): ProviderInput[] {
  const providers: ProviderInput[] = [];
  const add = (
    name: string,
    type: ProviderType,
    index: number,
    places: number,
    extra: Partial<ProviderInput> = {},
  ) => {
    const [localAuthority, region, outward] = LOCAL_AUTHORITIES[index % LOCAL_AUTHORITIES.length]!;
    const number = 100000 + providers.length * 7919;
    providers.push({
      urn: type === 'local-authority' ? String(800000 + providers.length) : `SC${String(number).slice(-6)}`,
      name,
      type,
      sector: 'private',
      addressLine1: `${1 + ((index * 13) % 120)} ${['Church', 'Station', 'Mill', 'Park', 'Victoria'][index % 5]} Road`,
      addressLine2: null,
      town: localAuthority.split(' ')[0]!,
      postcode: `${outward} ${1 + (index % 9)}${'ABDEFGHJLNPQRSTUWXYZ'[index % 20]}${'ABDEFGHJLNPQRSTUWXYZ'[(index * 7) % 20]}`,
      localAuthority,
      region: region as ProviderInput['region'],
      places,
      status: 'registered',
      ownerGroupId: null,
      registeredOn: `${2008 + (index % 16)}-${String(1 + (index % 12)).padStart(2, '0')}-${String(1 + (index % 27)).padStart(2, '0')}`,
      ...extra,
    });
  };
  HOME_NAMES.forEach((name, i) => {
    const owned = i % 4 !== 3;
    add(name, 'childrens-home', i, 2 + (i % 5), {
      ownerGroupId: owned ? ownerGroupIds[i % ownerGroupIds.length]! : null,
      sector: i % 6 === 5 ? 'local-authority' : i % 7 === 6 ? 'voluntary' : 'private',
      status: i === 22 ? 'suspended' : i === 23 ? 'closed' : 'registered',
      ...(i === 23 ? { leftRegisterOn: '2024-09-30' } : {}),
    });
  });
  [
    'Stepping Stones Supported Living',
    'Next Steps Accommodation',
    'Bridge House Supported Lodgings',
    'Launchpad Flats',
  ].forEach((name, i) =>
    add(name, 'supported-accommodation', i + 3, 6 + i * 2, {
      ownerGroupId: ownerGroupIds[i % 3]!,
      registeredOn: '2024-04-2' + i,
    }),
  );
  ['Kinship Fostering', 'Hearth Fostering Agency', 'Safe Harbour Fostering'].forEach((name, i) =>
    add(name, 'independent-fostering-agency', i + 7, 0, { ownerGroupId: i === 0 ? ownerGroupIds[5]! : null }),
  );
  ['Forever Families Adoption', 'Cornerstone Adoption Partnership'].forEach((name, i) =>
    add(name, 'voluntary-adoption-agency', i + 11, 0, { sector: 'voluntary' }),
  );
  add('Adoption Support Network', 'adoption-support-agency', 5, 0, { sector: 'voluntary' });
  ['Lakeside Family Centre', 'Orchard Family Assessment Centre'].forEach((name, i) =>
    add(name, 'residential-family-centre', i + 2, 4 + i, { ownerGroupId: ownerGroupIds[4]! }),
  );
  ['Greenacres Residential School', 'Hillside School Boarding House'].forEach((name, i) =>
    add(name, 'residential-special-school', i + 9, 20 + i * 10, { sector: 'voluntary' }),
  );
  LOCAL_AUTHORITIES.slice(0, 10).forEach(([la], i) =>
    add(`${la} Council children's services`, 'local-authority', i, 0, { sector: 'local-authority' }),
  );
  return providers;
}

/**
 * Fills an empty database with the demo register and one account per role. Does nothing when anyone
 * already has an account, so restarting never duplicates it.
 */
export async function seedDemoData(
  db: Db,
  password: string,
  options: { afterInspection?: boolean; clock?: Clock } = {},
): Promise<boolean> {
  if ((await countPeople(db)) > 0) return false;
  for (const person of DEMO_PEOPLE) checkNewPassword(password, person.email);
  const passwordHash = await hashPassword(password);
  const planner = DEMO_PEOPLE.find((p) => p.role === 'planner')!;
  const plannerId = await createPerson(db, {
    email: planner.email,
    name: planner.name,
    passwordHash,
    roles: ['planner'],
  });
  const ids = new Map<Role, string>([['planner', plannerId]]);

  const groups: { id: string }[] = [];
  for (const name of OWNER_GROUPS) groups.push(await createOwnerGroup(db, plannerId, name));
  const providers = [];
  for (const input of demoProviders(groups.map((g) => g.id)))
    // The register's part reads the system's clock, as it always has (test/support/app.ts relies on it).
    providers.push(await createProvider(db, plannerId, input, englishDate(systemClock.now())));

  // The provider account acts for two homes of one group; the rest of the register is not theirs.
  const own = providers
    .filter((p) => p.ownerGroup?.id === groups[0]!.id)
    .slice(0, 2)
    .map((p) => p.id);
  for (const person of DEMO_PEOPLE) {
    if (person.role === 'planner') continue;
    const id = await createPerson(db, {
      email: person.email,
      name: person.name,
      passwordHash,
      roles: [person.role],
      providerIds: person.role === 'provider' ? own : [],
    });
    ids.set(person.role, id);
  }

  const homes = providers.filter((p) => p.type === 'childrens-home');
  const applications: [number, string, ('in-progress' | 'approved' | 'refused' | 'withdrawn')[]][] = [
    [0, '2025-02-03', ['in-progress', 'approved']],
    [1, '2025-06-16', ['in-progress']],
    [2, '2025-09-01', []],
    [4, '2024-11-11', ['refused']],
    [5, '2025-01-20', ['withdrawn']],
  ];
  for (const [index, submittedOn, moves] of applications) {
    const home = homes[index]!;
    const today = englishDate(systemClock.now());
    const application = await createApplication(
      db,
      plannerId,
      home,
      {
        buildings: 2 + (index % 3),
        description: `${home.name} and ${2 + (index % 3) - 1} neighbouring house(s) run as one home.`,
        submittedOn,
      },
      today,
    );
    for (const status of moves) await moveApplication(db, plannerId, home.id, application.id, status, null);
  }

  const others = homes.filter((h) => !own.includes(h.id));
  const people = {
    plannerId,
    inspectorId: ids.get('inspector')!,
    managerId: ids.get('manager')!,
    ownHomes: own,
    otherHomes: others.map((h) => h.id),
  };
  await seedDemoInspections(db, people);
  const everyone: DemoPeople = {
    ...people,
    ids,
    providerIds: providers.map((p) => p.id),
    providerUserId: ids.get('provider')!,
  };
  await seedPlanningDemo(db, everyone);
  await seedConcernsDemo(db, everyone);
  await seedNotificationsDemo(db, everyone);
  if (options.afterInspection !== false) {
    await seedDemoAfterInspection(db, options.clock ?? systemClock, {
      ...people,
      complaintsId: ids.get('complaints')!,
    });
  }
  return true;
}

const DEMO_EVIDENCE: [EvidenceSource, string][] = [
  ['observation', 'Staff and children cooked tea together; relaxed, warm conversation throughout'],
  ['child', 'A child said staff help with homework and that they feel safe here'],
  ['staff', 'The deputy explained the missing-from-home protocol and recent return-home interviews'],
  ['document', 'Risk assessments reviewed after each of the three missing episodes this year'],
  ['case-tracking', 'One child’s plan, placement plan and daily records tell a consistent story'],
  ['stakeholder', 'The placing social worker praised the home’s communication'],
];

/**
 * Inspections at each stage: one completed, one awaiting moderation, one on site now for the demo
 * inspector, and a no-notice visit planned at the provider's home that the provider must not see.
 */
async function seedDemoInspections(
  db: Db,
  people: {
    plannerId: string;
    inspectorId: string;
    managerId: string;
    ownHomes: string[];
    otherHomes: string[];
  },
) {
  const { plannerId, inspectorId } = people;
  const conduct = (
    providerId: string,
    startDate: string,
    endDate: string,
    grades: [string, string, string],
    finish: 'on-site' | 'feedback' | 'completed',
  ) => conductDemoInspection(db, people, providerId, startDate, endDate, grades, finish);
  await conduct(people.ownHomes[0]!, '2025-02-11', '2025-02-12', ['good', 'good', 'good'], 'completed');
  await conduct(
    people.otherHomes[0]!,
    '2026-11-16',
    '2026-11-18',
    ['good', 'requires-improvement-to-be-good', 'good'],
    'feedback',
  );
  await conduct(people.otherHomes[1]!, '2026-11-24', '2026-11-26', ['good', 'good', 'good'], 'on-site');
  await createInspection(db, plannerId, {
    providerId: people.ownHomes[1]!,
    frameworkId: 'childrens-homes',
    type: 'full',
    notice: 'none',
    startDate: '2027-01-12',
    endDate: '2027-01-13',
    leadInspectorId: inspectorId,
    team: [],
  });
}

/** A full inspection by the demo inspector, carried to the stage asked for, with evidence behind it. */
async function conductDemoInspection(
  db: Db,
  people: { plannerId: string; inspectorId: string; managerId: string },
  providerId: string,
  startDate: string,
  endDate: string,
  grades: [string, string, string],
  finish: 'on-site' | 'feedback' | 'completed',
): Promise<string> {
  const { plannerId, inspectorId } = people;
  const id = await createInspection(db, plannerId, {
    providerId,
    frameworkId: 'childrens-homes',
    type: 'full',
    notice: 'none',
    startDate,
    endDate,
    leadInspectorId: inspectorId,
    team: [],
  });
  await moveInspection(db, inspectorId, id, 'on-site');
  const line = await openLineOfEnquiry(db, inspectorId, id, {
    title: 'Children missing from home',
    areaId: 'help-and-protection',
  });
  const evidence = [];
  for (const [source, summary] of DEMO_EVIDENCE) {
    evidence.push(
      await recordEvidence(db, inspectorId, id, {
        source,
        summary,
        childReference: source === 'case-tracking' ? 'child-a' : null,
      }),
    );
  }
  if (finish === 'on-site') return id;
  await closeLineOfEnquiry(db, inspectorId, id, line, {
    conclusion: 'Episodes are well managed and reviewed',
    evidenceIds: [evidence[2]!, evidence[3]!],
  });
  const areas = ['overall-experiences-and-progress', 'help-and-protection', 'leaders-and-managers'];
  for (const [index, areaId] of areas.entries()) {
    await giveJudgement(db, inspectorId, id, {
      areaId,
      grade: grades[index]!,
      evidenceIds: [evidence[index]!, evidence[index + 3]!],
      rationale: 'The evidence shows consistent, child-centred practice.',
    });
  }
  await recordDialogue(db, inspectorId, id, {
    kind: 'end-of-day',
    summary: 'Emerging findings shared with the registered manager',
  });
  await recordDialogue(db, inspectorId, id, {
    kind: 'conduct-comment',
    summary: 'The manager had no comments on the conduct of the inspection',
  });
  await giveFeedback(db, inspectorId, id, {
    summary: 'Feedback given to the registered manager and the responsible individual',
  });
  if (finish === 'completed') await moveInspection(db, people.managerId, id, 'completed');
  return id;
}

/** The weekday `days` calendar days before `date` (a Saturday or Sunday moves back to the Friday). */
function weekdayBefore(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

const at = (date: string) => new ManualClock(new Date(`${date}T10:00:00Z`));

/**
 * After the inspection, around today: a report published, a draft the demo provider can still answer,
 * a draft whose time to answer has run out (the first sweep for deadlines presumes it accurate), a
 * complaint open and one escalated to the independent adjudicator.
 */
async function seedDemoAfterInspection(
  db: Db,
  clock: Clock,
  people: {
    plannerId: string;
    inspectorId: string;
    managerId: string;
    complaintsId: string;
    ownHomes: string[];
    otherHomes: string[];
  },
) {
  const today = englishDate(clock.now());
  const narrative =
    'Children make good progress. They enjoy warm relationships with staff, who know them well and help them with school, friendships and family time.';
  const inspected = async (providerId: string, daysAgo: number, grades: [string, string, string]) => {
    const end = weekdayBefore(today, daysAgo);
    return conductDemoInspection(db, people, providerId, weekdayBefore(end, 1), end, grades, 'completed');
  };
  const draft = async (inspectionId: string, issuedOn: string) =>
    issueDraft(db, at(issuedOn), people.inspectorId, (await inspectionRecord(db, inspectionId))!, narrative);
  const on = (date: string) => new Date(`${date}T10:00:00Z`);

  // Published: no answer to the draft, so presumed accurate, then published.
  const published = await inspected(people.otherHomes[2]!, 70, ['outstanding', 'good', 'good']);
  const publishedReport = await draft(published, weekdayBefore(today, 60));
  await finaliseReport(db, at(weekdayBefore(today, 45)), people.managerId, publishedReport);
  await publishReport(db, at(weekdayBefore(today, 40)), people.managerId, publishedReport);

  // The demo provider's own home: a draft issued yesterday, waiting for its answer.
  const awaiting = await inspected(people.ownHomes[0]!, 12, [
    'good',
    'good',
    'requires-improvement-to-be-good',
  ]);
  await draft(awaiting, weekdayBefore(today, 1));

  // A draft whose five working days ran out without an answer.
  const overdue = await inspected(people.otherHomes[3]!, 30, ['good', 'good', 'good']);
  await draft(overdue, weekdayBefore(today, 14));

  // A complaint telephoned in about a draft's judgements, still open.
  const complained = await inspected(people.otherHomes[4]!, 20, [
    'requires-improvement-to-be-good',
    'inadequate',
    'inadequate',
  ]);
  await draft(complained, weekdayBefore(today, 3));
  await raiseComplaint(db, people.complaintsId, {
    inspectionId: complained,
    channel: 'phone',
    complainantName: 'Registered manager',
    complainantEmail: 'registered.manager@demo.invalid',
    summary:
      'The inadequate judgement for help and protection does not reflect the improvements we made in the summer.',
    receivedOn: weekdayBefore(today, 1),
  });

  // A complaint handled, closed and escalated to the independent adjudicator.
  const escalated = await inspected(people.otherHomes[5]!, 90, [
    'good',
    'requires-improvement-to-be-good',
    'good',
  ]);
  const complaint = await raiseComplaint(db, people.complaintsId, {
    inspectionId: escalated,
    channel: 'email',
    complainantName: 'Responsible individual',
    complainantEmail: 'responsible.individual@demo.invalid',
    summary: 'The inspector did not speak to the night staff before judging help and protection.',
    receivedOn: weekdayBefore(today, 60),
  });
  await acknowledgeComplaint(db, people.complaintsId, complaint.id, on(weekdayBefore(today, 58)));
  await respondToComplaint(
    db,
    people.complaintsId,
    complaint.id,
    {
      outcome: 'not-upheld',
      reasons: 'The evidence includes interviews with two members of the night staff.',
      remedies: [],
    },
    on(weekdayBefore(today, 40)),
  );
  await escalateComplaint(
    db,
    people.complaintsId,
    complaint.id,
    'The handler did not look at our rota showing who was on shift.',
    on(weekdayBefore(today, 30)),
  );
}
