import { describe, expect, it } from 'vitest';
import { addCalendarDays, parseIsoDate } from '../calendar/working-days.js';
import { frameworks } from './frameworks.js';
import { notificationCategories } from './notification-categories.js';
import { postInspectionProcedures } from './procedures.js';
import { guides, instruments, regulations } from './regulations.js';
import { providerTypeIds, type Versioned } from './types.js';

// Checks that the rules, as data, hang together; a data change that breaks one fails here.

function expectValidDates(record: Versioned) {
  parseIsoDate(record.effectiveFrom);
  if (record.effectiveTo !== null) {
    parseIsoDate(record.effectiveTo);
    expect(record.effectiveFrom <= record.effectiveTo).toBe(true);
  }
}

function expectUniqueIds(records: readonly { id: string }[]) {
  const ids = records.map((record) => record.id);
  expect(new Set(ids).size).toBe(ids.length);
}

const kebabCase = /^[a-z0-9]+(-[a-z0-9]+)*$/;

describe('frameworks as data', () => {
  it('have unique ids and real dates', () => {
    expectUniqueIds(frameworks);
    for (const framework of frameworks) {
      expect(framework.id).toMatch(kebabCase);
      expectValidDates(framework);
      expectUniqueIds(framework.gradeScale);
      expectUniqueIds(framework.judgementAreas);
      expect(framework.providerTypes.every((type) => providerTypeIds.includes(type))).toBe(true);
    }
  });

  it('never put two frameworks in force for one provider type at once', () => {
    for (const type of providerTypeIds) {
      const spans = frameworks
        .filter((framework) => framework.providerTypes.includes(type))
        .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
      for (let i = 1; i < spans.length; i += 1) {
        const earlier = spans[i - 1];
        expect(earlier?.effectiveTo, `${earlier?.id} must end before ${spans[i]?.id} starts`).not.toBeNull();
        expect((earlier?.effectiveTo ?? '') < (spans[i]?.effectiveFrom ?? '')).toBe(true);
      }
    }
  });

  it('keep each judgement area inside its framework’s dates', () => {
    for (const framework of frameworks) {
      for (const area of framework.judgementAreas) {
        expectValidDates(area);
        expect(area.effectiveFrom >= framework.effectiveFrom).toBe(true);
        if (framework.effectiveTo !== null) {
          expect(area.effectiveTo !== null && area.effectiveTo <= framework.effectiveTo).toBe(true);
        }
      }
    }
  });

  it('grade the overall area for the whole life of the framework, and never limit it by itself', () => {
    for (const framework of frameworks) {
      const overall = framework.judgementAreas.find((area) => area.id === framework.overallGrade.areaId);
      expect(overall, framework.id).toBeDefined();
      expect(overall?.effectiveFrom).toBe(framework.effectiveFrom);
      expect(overall?.effectiveTo).toBe(framework.effectiveTo);
      expect(overall?.limiting).toBe(false);
      expect(overall?.separatelyRated).toBe(false);
    }
  });

  it('never let a separately rated area limit the overall, and hang sub-judgements on real areas', () => {
    for (const framework of frameworks) {
      const ids = framework.judgementAreas.map((area) => area.id);
      for (const area of framework.judgementAreas) {
        expect(area.limiting && area.separatelyRated).toBe(false);
        if (area.subJudgementOf !== null) expect(ids).toContain(area.subJudgementOf);
      }
    }
  });

  it('set a whole number of months before the next inspection for every grade', () => {
    for (const framework of frameworks) {
      for (const grade of framework.gradeScale) {
        expect(Number.isInteger(grade.reinspectionMonths) && grade.reinspectionMonths > 0).toBe(true);
      }
    }
  });
});

describe('post-inspection procedures as data', () => {
  it('follow one another without gap or overlap, the last still in force', () => {
    expectUniqueIds(postInspectionProcedures);
    postInspectionProcedures.forEach((procedure, i) => {
      expectValidDates(procedure);
      const next = postInspectionProcedures[i + 1];
      if (next) expect(addCalendarDays(procedure.effectiveTo ?? '', 1)).toBe(next.effectiveFrom);
      else expect(procedure.effectiveTo).toBeNull();
    });
  });

  it('count every deadline in whole days, reports from the last day', () => {
    for (const procedure of postInspectionProcedures) {
      const deadlines = [
        procedure.dayAfterCall,
        procedure.draftReport,
        procedure.response,
        procedure.finalReport,
        procedure.formalComplaint,
      ];
      for (const deadline of deadlines) {
        if (deadline) expect(Number.isInteger(deadline.count) && deadline.count >= 1).toBe(true);
      }
      expect(procedure.draftReport.after).toBe('last-day');
      expect(procedure.finalReport.after).not.toBe('final-report');
    }
  });

  it('give each step a deadline the procedure has', () => {
    for (const procedure of postInspectionProcedures) {
      for (const step of procedure.steps) {
        if (step.deadline !== null) expect(procedure[step.deadline], step.title).not.toBeNull();
      }
    }
  });
});

describe('regulations and guides', () => {
  const numbers = (instrumentId: string) =>
    regulations
      .filter((regulation) => regulation.instrumentId === instrumentId)
      .map((regulation) => regulation.number);

  it('hold the nine quality standards of the Children’s Homes Regulations 2015', () => {
    const standards = regulations.filter(
      (regulation) =>
        regulation.instrumentId === 'childrens-homes-regulations-2015' && regulation.qualityStandard,
    );
    expect(standards.map((regulation) => regulation.number)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(standards.find((regulation) => regulation.number === 12)?.title).toBe(
      'The protection of children standard',
    );
  });

  it('hold the supported accommodation regulations quoted in findings', () => {
    expect(numbers('supported-accommodation-regulations-2023')).toEqual(
      expect.arrayContaining([4, 5, 10, 18]),
    );
  });

  it('point at known instruments, with unique ids and real dates', () => {
    const instrumentIds = instruments.map((instrument) => instrument.id);
    expectUniqueIds(regulations);
    expectUniqueIds(guides);
    for (const record of [...regulations, ...guides]) {
      if (record.instrumentId !== null) expect(instrumentIds).toContain(record.instrumentId);
      expectValidDates(record);
    }
  });

  it('keep each regulation within its instrument’s dates, and name a source for every instrument and guide', () => {
    for (const regulation of regulations) {
      const instrument = instruments.find((candidate) => candidate.id === regulation.instrumentId);
      expect(regulation.effectiveFrom >= (instrument?.effectiveFrom ?? '')).toBe(true);
    }
    for (const record of [...instruments, ...guides]) {
      expect(record.source.length, record.id).toBeGreaterThan(0);
      expect(record.providerTypes.every((type) => providerTypeIds.includes(type))).toBe(true);
      expectValidDates(record);
    }
  });

  it('give a guide’s length in whole pages, or none', () => {
    for (const guide of guides) {
      if (guide.pages !== null) expect(Number.isInteger(guide.pages) && guide.pages > 0).toBe(true);
    }
  });

  it('let one edition of Working Together follow another without gap or overlap', () => {
    const editions = guides.filter((guide) => guide.id.startsWith('working-together-'));
    editions.forEach((edition, i) => {
      const next = editions[i + 1];
      if (next) expect(addCalendarDays(edition.effectiveTo ?? '', 1)).toBe(next.effectiveFrom);
      else expect(edition.effectiveTo).toBeNull();
    });
  });

  it('regulate under a framework only the kinds of provider the framework inspects', () => {
    for (const framework of frameworks) {
      for (const id of framework.regulatedBy) {
        const instrument = instruments.find((candidate) => candidate.id === id);
        expect(instrument, `${framework.id} cites ${id}`).toBeDefined();
        expect(instrument?.providerTypes.some((type) => framework.providerTypes.includes(type))).toBe(true);
      }
    }
  });
});

describe('notification categories', () => {
  it('are the thirteen categories of the annual figures, then other', () => {
    expect(notificationCategories.map((category) => category.label)).toEqual([
      'Incident requiring police involvement',
      'Allegation of abuse against the home or a person working there',
      'Serious illness or accident',
      'Child protection inquiry outcome',
      'Serious concerns over a missing child',
      'Serious complaint about a carer or member of staff',
      'Involvement or suspected involvement in sexual exploitation',
      'Child protection inquiry instigated',
      'Serious incident of self-harm by a child',
      'Section 35 referral of an adult or provision of information to DBS',
      'Child has been a perpetrator/victim of serious assault',
      'Outbreak of infectious disease',
      'Death of a child',
      'Other incident relating to a child that the registered person considered to be serious',
    ]);
    expect(notificationCategories.at(-1)?.id).toBe('other');
  });

  it('have unique kebab-case ids', () => {
    expectUniqueIds(notificationCategories);
    for (const category of notificationCategories) expect(category.id).toMatch(kebabCase);
  });
});
