import type { Framework, Grade, JudgementArea, Versioned } from './types.js';

/**
 * Inspection frameworks, with their grade scales, judgement areas and limiting judgements.
 *
 * Re-inspection intervals are the latest an inspection can follow one with that overall grade; risk can
 * bring an inspection forward, never push it back.
 */

type AreaFields = Pick<JudgementArea, 'id' | 'name'> & Partial<JudgementArea>;

/** An area in force for as long as its framework, unless the fields say otherwise. */
function area(framework: Versioned, fields: AreaFields): JudgementArea {
  return {
    limiting: false,
    separatelyRated: false,
    subJudgementOf: null,
    effectiveFrom: framework.effectiveFrom,
    effectiveTo: framework.effectiveTo,
    ...fields,
  };
}

// Children's homes are inspected at least once a year; a home that is not yet good is visited again
// within about six months (SCCIF: children's homes; the fees and frequency of inspections regulations).
const sccifChildrensHomesScale: readonly Grade[] = [
  { id: 'outstanding', label: 'Outstanding', reinspectionMonths: 12 },
  { id: 'good', label: 'Good', reinspectionMonths: 12 },
  { id: 'requires-improvement-to-be-good', label: 'Requires improvement to be good', reinspectionMonths: 6 },
  { id: 'inadequate', label: 'Inadequate', reinspectionMonths: 6 },
];

const childrensHomesDates = { effectiveFrom: '2017-04-01', effectiveTo: null };

export const childrensHomes: Framework = {
  id: 'childrens-homes',
  name: 'Social care common inspection framework (SCCIF): children’s homes',
  shortName: 'SCCIF',
  providerTypes: ['childrens-home'],
  ...childrensHomesDates,
  scaleKind: 'grades',
  gradeScale: sccifChildrensHomesScale,
  judgementAreas: [
    area(childrensHomesDates, {
      id: 'overall-experiences-and-progress',
      name: 'Overall experiences and progress of children and young people',
    }),
    // Children who are not helped and protected cannot be said to be progressing well overall.
    area(childrensHomesDates, {
      id: 'help-and-protection',
      name: 'How well children and young people are helped and protected',
      limiting: true,
    }),
    area(childrensHomesDates, {
      id: 'leaders-and-managers',
      name: 'The effectiveness of leaders and managers',
    }),
  ],
  overallGrade: { kind: 'headline-area', areaId: 'overall-experiences-and-progress' },
  regulatedBy: ['childrens-homes-regulations-2015'],
  source: 'Ofsted, SCCIF: children’s homes; seeds 000 and 003',
};

// Not a graded scale: each outcome fixes when the next inspection is due (Ofsted consultation outcome on
// inspecting supported accommodation, February 2024).
const supportedAccommodationOutcomes: readonly Grade[] = [
  { id: 'consistently-strong', label: 'Consistently strong service delivery', reinspectionMonths: 36 },
  {
    id: 'inconsistent',
    label: 'Inconsistent quality of service delivery that adversely affects some children',
    reinspectionMonths: 18,
  },
  {
    id: 'serious-or-widespread-weaknesses',
    label: 'Serious or widespread weaknesses',
    reinspectionMonths: 6,
  },
];

const supportedAccommodationDates = { effectiveFrom: '2024-09-01', effectiveTo: null };

export const supportedAccommodation: Framework = {
  id: 'supported-accommodation',
  name: 'Inspection of supported accommodation for looked-after children and care leavers aged 16 and 17',
  shortName: 'Supported accommodation',
  providerTypes: ['supported-accommodation'],
  ...supportedAccommodationDates,
  scaleKind: 'outcomes',
  gradeScale: supportedAccommodationOutcomes,
  judgementAreas: [area(supportedAccommodationDates, { id: 'outcome', name: 'Outcome of the inspection' })],
  overallGrade: { kind: 'headline-area', areaId: 'outcome' },
  regulatedBy: ['supported-accommodation-regulations-2023'],
  source: 'Supported Accommodation (England) Regulations 2023; Ofsted consultation outcome, February 2024',
};

// Good and outstanding authorities have a short inspection, and those requiring improvement a standard
// one, about every three years. An inadequate authority has monitoring visits and is re-inspected once
// they show progress; 18 months is the planning default, not a published interval.
const ilacsScale: readonly Grade[] = [
  { id: 'outstanding', label: 'Outstanding', reinspectionMonths: 36 },
  { id: 'good', label: 'Good', reinspectionMonths: 36 },
  { id: 'requires-improvement-to-be-good', label: 'Requires improvement to be good', reinspectionMonths: 36 },
  { id: 'inadequate', label: 'Inadequate', reinspectionMonths: 18 },
];

const ilacsDates = { effectiveFrom: '2018-01-01', effectiveTo: null };

export const ilacs: Framework = {
  id: 'ilacs',
  name: 'Inspecting local authority children’s services',
  shortName: 'ILACS',
  providerTypes: ['local-authority'],
  ...ilacsDates,
  scaleKind: 'grades',
  gradeScale: ilacsScale,
  judgementAreas: [
    area(ilacsDates, { id: 'overall-effectiveness', name: 'Overall effectiveness' }),
    area(ilacsDates, {
      id: 'impact-of-leaders',
      name: 'The impact of leaders on social work practice with children and families',
    }),
    // Carried over from the single inspection framework, where help and protection was limiting.
    area(ilacsDates, {
      id: 'help-and-protection',
      name: 'The experiences and progress of children who need help and protection',
      limiting: true,
    }),
    // Until 2023 care leavers were judged together with children in care; from January 2023 apart.
    area(ilacsDates, {
      id: 'children-in-care-and-care-leavers',
      name: 'The experiences and progress of children in care and care leavers',
      effectiveTo: '2022-12-31',
    }),
    area(ilacsDates, {
      id: 'children-in-care',
      name: 'The experiences and progress of children in care',
      effectiveFrom: '2023-01-01',
    }),
    area(ilacsDates, {
      id: 'care-leavers',
      name: 'The experiences and progress of care leavers',
      effectiveFrom: '2023-01-01',
    }),
  ],
  overallGrade: { kind: 'separate-judgement', areaId: 'overall-effectiveness' },
  // A local authority's duties are not in the catalogue's instruments: its findings are recommendations.
  regulatedBy: [],
  source: 'Ofsted, ILACS framework (2018); consultation on a care leavers judgement (2022); seed 000',
};

// 'Requires improvement' replaced 'adequate' (seed 001). Every authority was inspected once in the
// framework's life; the intervals are planning defaults, shorter after an inadequate judgement.
const sifScale: readonly Grade[] = [
  { id: 'outstanding', label: 'Outstanding', reinspectionMonths: 36 },
  { id: 'good', label: 'Good', reinspectionMonths: 36 },
  { id: 'requires-improvement', label: 'Requires improvement', reinspectionMonths: 36 },
  { id: 'inadequate', label: 'Inadequate', reinspectionMonths: 18 },
];

const sifDates = { effectiveFrom: '2013-11-01', effectiveTo: '2017-12-31' };

export const sif2013: Framework = {
  id: 'sif-2013',
  name: 'Single inspection framework: services for children in need of help and protection, children looked after and care leavers',
  shortName: 'SIF',
  providerTypes: ['local-authority'],
  ...sifDates,
  scaleKind: 'grades',
  gradeScale: sifScale,
  judgementAreas: [
    area(sifDates, { id: 'overall-effectiveness', name: 'Overall effectiveness' }),
    area(sifDates, {
      id: 'help-and-protection',
      name: 'Children who need help and protection',
      limiting: true,
    }),
    area(sifDates, {
      id: 'looked-after-and-permanence',
      name: 'Children looked after and achieving permanence',
    }),
    area(sifDates, {
      id: 'adoption-performance',
      name: 'Adoption performance',
      subJudgementOf: 'looked-after-and-permanence',
    }),
    area(sifDates, {
      id: 'care-leavers',
      name: 'The experiences and progress of care leavers',
      subJudgementOf: 'looked-after-and-permanence',
    }),
    area(sifDates, {
      id: 'leadership-management-governance',
      name: 'Leadership, management and governance',
    }),
    // The board is a partnership, not the local authority, so its rating stands apart from the overall.
    area(sifDates, {
      id: 'lscb',
      name: 'The effectiveness of the local safeguarding children board',
      separatelyRated: true,
    }),
  ],
  overallGrade: { kind: 'separate-judgement', areaId: 'overall-effectiveness' },
  // A local authority's duties are not in the catalogue's instruments: its findings are recommendations.
  regulatedBy: [],
  source: 'Ofsted, single inspection framework (November 2013); seed 001',
};

// Re-inspection after 18 months when inadequate, 3 years when satisfactory, 5 years when good or
// outstanding, as proposed in the 2011 consultation (seed 004).
const childProtection2012Scale: readonly Grade[] = [
  { id: 'outstanding', label: 'Outstanding', reinspectionMonths: 60 },
  { id: 'good', label: 'Good', reinspectionMonths: 60 },
  { id: 'satisfactory', label: 'Satisfactory', reinspectionMonths: 36 },
  { id: 'inadequate', label: 'Inadequate', reinspectionMonths: 18 },
];

const childProtection2012Dates = { effectiveFrom: '2012-05-01', effectiveTo: '2013-10-31' };

export const childProtection2012: Framework = {
  id: 'child-protection-2012',
  name: 'Inspection of local authority arrangements for the protection of children',
  shortName: 'Child protection 2012',
  providerTypes: ['local-authority'],
  ...childProtection2012Dates,
  scaleKind: 'grades',
  gradeScale: childProtection2012Scale,
  judgementAreas: [
    area(childProtection2012Dates, { id: 'overall-effectiveness', name: 'Overall effectiveness' }),
    area(childProtection2012Dates, { id: 'capacity-to-improve', name: 'Capacity to improve' }),
    area(childProtection2012Dates, {
      id: 'effectiveness-of-help',
      name: 'The effectiveness of the help provided to children, their families and carers',
    }),
    area(childProtection2012Dates, { id: 'quality-of-practice', name: 'Quality of practice' }),
    area(childProtection2012Dates, { id: 'leadership-and-management', name: 'Leadership and management' }),
  ],
  overallGrade: { kind: 'separate-judgement', areaId: 'overall-effectiveness' },
  // A local authority's duties are not in the catalogue's instruments: its findings are recommendations.
  regulatedBy: [],
  source:
    'Ofsted, consultation ‘Raising the bar for child protection’ (2011), in force from May 2012; seed 004',
};

/** Every framework, newest first within each kind of provider. */
export const frameworks: readonly Framework[] = [
  childrensHomes,
  supportedAccommodation,
  ilacs,
  sif2013,
  childProtection2012,
];
