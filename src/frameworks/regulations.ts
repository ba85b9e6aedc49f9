import { providerTypeIds, type Guide, type Instrument, type Regulation } from './types.js';

/**
 * The regulations that requirements cite, and the guides that recommendations cite by page and paragraph.
 * Which of them an inspection may cite is decided in rules.ts (`citationProblems`).
 */

export const childrensHomesRegulations2015: Instrument = {
  id: 'childrens-homes-regulations-2015',
  title: 'The Children’s Homes (England) Regulations 2015',
  year: 2015,
  providerTypes: ['childrens-home'],
  effectiveFrom: '2015-04-01',
  effectiveTo: null,
  source: 'SI 2015/541, regulation 1(1): in force on 1 April 2015; DOMAIN.md',
};

// Regulations 36, 37 and 43(2) came into force later, on 28 October 2023, the day by which providers had
// to be registered; none of them is in the catalogue.
export const supportedAccommodationRegulations2023: Instrument = {
  id: 'supported-accommodation-regulations-2023',
  title: 'The Supported Accommodation (England) Regulations 2023',
  year: 2023,
  providerTypes: ['supported-accommodation'],
  effectiveFrom: '2023-04-28',
  effectiveTo: null,
  source: 'SI 2023/416, regulation 1(2) and (3): in force on 28 April 2023; seed 003',
};

export const instruments: readonly Instrument[] = [
  childrensHomesRegulations2015,
  supportedAccommodationRegulations2023,
];

function childrensHomesRegulation(number: number, title: string, qualityStandard: boolean): Regulation {
  return {
    id: `childrens-homes-2015-reg-${number}`,
    instrumentId: childrensHomesRegulations2015.id,
    number,
    title,
    qualityStandard,
    effectiveFrom: childrensHomesRegulations2015.effectiveFrom,
    effectiveTo: null,
  };
}

function supportedAccommodationRegulation(
  number: number,
  title: string,
  qualityStandard: boolean,
): Regulation {
  return {
    id: `supported-accommodation-2023-reg-${number}`,
    instrumentId: supportedAccommodationRegulations2023.id,
    number,
    title,
    qualityStandard,
    effectiveFrom: supportedAccommodationRegulations2023.effectiveFrom,
    effectiveTo: null,
  };
}

export const regulations: readonly Regulation[] = [
  // The nine quality standards (regs 6 to 14).
  childrensHomesRegulation(6, 'The quality and purpose of care standard', true),
  childrensHomesRegulation(7, 'The children’s views, wishes and feelings standard', true),
  childrensHomesRegulation(8, 'The education standard', true),
  childrensHomesRegulation(9, 'The enjoyment and achievement standard', true),
  childrensHomesRegulation(10, 'The health and well-being standard', true),
  childrensHomesRegulation(11, 'The positive relationships standard', true),
  childrensHomesRegulation(12, 'The protection of children standard', true),
  childrensHomesRegulation(13, 'The leadership and management standard', true),
  childrensHomesRegulation(14, 'The care planning standard', true),
  // Often cited in requirements alongside the standards.
  childrensHomesRegulation(33, 'Employment of staff', false),
  childrensHomesRegulation(40, 'Notification of a serious event', false),
  childrensHomesRegulation(44, 'Independent person: visits and reports', false),
  childrensHomesRegulation(45, 'Review of quality of care', false),

  // The four quality standards (regs 4 to 7); seed 003 quotes 4, 5, 10 and 18.
  supportedAccommodationRegulation(4, 'The leadership and management standard', true),
  supportedAccommodationRegulation(5, 'The protection standard', true),
  supportedAccommodationRegulation(6, 'The accommodation standard', true),
  supportedAccommodationRegulation(7, 'The support standard', true),
  supportedAccommodationRegulation(10, 'Workforce plan', false),
  supportedAccommodationRegulation(18, 'Employment of staff', false),
];

// Working Together applies to every organisation with functions relating to children; seed 003 names it
// among the statutory guidance recommendations may cite. Each edition replaced the one before on the day
// it was published.
const everyInspectedType = providerTypeIds;

export const guides: readonly Guide[] = [
  {
    id: 'childrens-homes-guide-2015',
    title: 'Guide to the Children’s Homes Regulations including the quality standards',
    publisher: 'Department for Education',
    year: 2015,
    instrumentId: childrensHomesRegulations2015.id,
    providerTypes: ['childrens-home'],
    pages: null,
    effectiveFrom: '2015-04-01',
    effectiveTo: null,
    source: 'DfE, April 2015, published with the regulations it explains; DOMAIN.md. Length not recorded',
  },
  {
    id: 'supported-accommodation-guide-2023',
    title: 'Guide to the Supported Accommodation Regulations including Quality Standards',
    publisher: 'Department for Education',
    year: 2023,
    instrumentId: supportedAccommodationRegulations2023.id,
    providerTypes: ['supported-accommodation'],
    pages: null,
    effectiveFrom: '2023-04-28',
    effectiveTo: null,
    source:
      'DfE, March 2023, in force with the regulations it explains; seed 003 cites its page 55. Length not recorded',
  },
  {
    id: 'working-together-2015',
    title: 'Working Together to Safeguard Children (2015)',
    publisher: 'HM Government',
    year: 2015,
    instrumentId: null,
    providerTypes: everyInspectedType,
    pages: null,
    effectiveFrom: '2015-03-26',
    effectiveTo: '2018-07-03',
    source: 'Published 26 March 2015, replaced by the 2018 edition (gov.uk). Length not recorded',
  },
  {
    id: 'working-together-2018',
    title: 'Working Together to Safeguard Children (2018)',
    publisher: 'HM Government',
    year: 2018,
    instrumentId: null,
    providerTypes: everyInspectedType,
    pages: 116,
    effectiveFrom: '2018-07-04',
    effectiveTo: '2023-12-14',
    source:
      'Published 4 July 2018, factual update December 2020 (116 pages, gov.uk listing); replaced by the 2023 edition',
  },
  {
    id: 'working-together-2023',
    title: 'Working Together to Safeguard Children (2023)',
    publisher: 'HM Government',
    year: 2023,
    instrumentId: null,
    providerTypes: everyInspectedType,
    pages: 168,
    effectiveFrom: '2023-12-15',
    effectiveTo: null,
    source: 'Published 15 December 2023, 168 pages; seed 003',
  },
  // Volume 2 of the Children Act 1989 guidance, for the care planning, placement and case review
  // regulations 2010 that came into force on 1 April 2011. Revised in June 2015 and July 2021 with the
  // same title; the revisions are paginated differently, so no length is recorded.
  {
    id: 'care-planning-guidance',
    title:
      'The Children Act 1989 guidance and regulations, Volume 2: care planning, placement and case review',
    publisher: 'Department for Education',
    year: 2010,
    instrumentId: null,
    providerTypes: [
      'local-authority',
      'childrens-home',
      'supported-accommodation',
      'independent-fostering-agency',
    ],
    pages: null,
    effectiveFrom: '2011-04-01',
    effectiveTo: null,
    source:
      'DCSF, March 2010, in force with SI 2010/959 on 1 April 2011; revised June 2015 and July 2021 (gov.uk). Length not recorded',
  },
];
