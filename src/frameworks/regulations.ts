import type { Guide, Instrument, Regulation } from './types.js';

/**
 * The regulations that requirements cite, and the guides that recommendations cite by page and paragraph.
 */

export const childrensHomesRegulations2015: Instrument = {
  id: 'childrens-homes-regulations-2015',
  title: 'The Children’s Homes (England) Regulations 2015',
  year: 2015,
  effectiveFrom: '2015-04-01',
  effectiveTo: null,
};

export const supportedAccommodationRegulations2023: Instrument = {
  id: 'supported-accommodation-regulations-2023',
  title: 'The Supported Accommodation (England) Regulations 2023',
  year: 2023,
  effectiveFrom: '2023-10-28',
  effectiveTo: null,
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

export const guides: readonly Guide[] = [
  {
    id: 'childrens-homes-guide-2015',
    title: 'Guide to the Children’s Homes Regulations including the quality standards',
    publisher: 'Department for Education',
    year: 2015,
    instrumentId: childrensHomesRegulations2015.id,
    effectiveFrom: '2015-04-01',
    effectiveTo: null,
  },
  {
    id: 'supported-accommodation-guide-2023',
    title: 'Guide to the Supported Accommodation Regulations including Quality Standards',
    publisher: 'Department for Education',
    year: 2023,
    instrumentId: supportedAccommodationRegulations2023.id,
    effectiveFrom: '2023-10-28',
    effectiveTo: null,
  },
];
