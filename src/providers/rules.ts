import { z } from 'zod';
import { isoDate, requiredText } from '../fields.js';
import type { IsoDate } from '../calendar/working-days.js';
import type { ProviderTypeId } from '../frameworks/types.js';
import type { FieldError } from '../refusal.js';

/** Labels of the kinds of provider; the ids themselves belong to the regulator's rules. */
export const PROVIDER_TYPES: Record<ProviderTypeId, string> = {
  'childrens-home': "Children's home",
  'supported-accommodation': 'Supported accommodation',
  'independent-fostering-agency': 'Independent fostering agency',
  'voluntary-adoption-agency': 'Voluntary adoption agency',
  'adoption-support-agency': 'Adoption support agency',
  'residential-family-centre': 'Residential family centre',
  'residential-special-school': 'Residential special school',
  'local-authority': "Local authority children's services",
};
export type ProviderType = ProviderTypeId;

export const SECTORS = {
  private: 'Private',
  'local-authority': 'Local authority',
  voluntary: 'Voluntary',
  'health-authority': 'Health authority',
} as const;

export const REGIONS = [
  'North East',
  'North West',
  'Yorkshire and The Humber',
  'East Midlands',
  'West Midlands',
  'East of England',
  'London',
  'South East',
  'South West',
] as const;

export const PROVIDER_STATUSES = {
  registered: 'Registered',
  suspended: 'Suspended',
  cancelled: 'Cancelled',
  closed: 'Closed',
} as const;

/** The statuses of a provider on the register; closed and cancelled ones have left it, on a day kept. */
export const ON_REGISTER_STATUSES: readonly string[] = ['registered', 'suspended'];

/**
 * The day a provider left the register, as it is to be kept: none while registered or suspended; for a
 * closed or cancelled one, the day given, else the day already kept, else `today` (the day the register
 * learns of it). It cannot come before registration or after today.
 */
export function leftRegisterOn(
  next: { status: string; registeredOn: IsoDate; leftRegisterOn?: IsoDate | null | undefined },
  kept: IsoDate | null,
  today: IsoDate,
): { value: IsoDate | null; errors: FieldError[] } {
  if (ON_REGISTER_STATUSES.includes(next.status)) {
    return next.leftRegisterOn
      ? {
          value: null,
          errors: [
            {
              field: 'leftRegisterOn',
              message: 'Only a closed or cancelled provider has a date it left the register',
            },
          ],
        }
      : { value: null, errors: [] };
  }
  const value = next.leftRegisterOn ?? kept ?? today;
  const errors: FieldError[] = [];
  if (value < next.registeredOn) {
    errors.push({
      field: 'leftRegisterOn',
      message: 'The date it closed or was cancelled must be the same as or after the date of registration',
    });
  }
  if (value > today) {
    errors.push({
      field: 'leftRegisterOn',
      message: 'The date it closed or was cancelled must be today or in the past',
    });
  }
  return { value, errors };
}

export const APPLICATION_STATUSES = {
  applied: 'Applied',
  'in-progress': 'In progress',
  approved: 'Approved',
  refused: 'Refused',
  withdrawn: 'Withdrawn',
} as const;
export type ApplicationStatus = keyof typeof APPLICATION_STATUSES;

/** A decision is final: approved, refused and withdrawn applications do not move again. */
const NEXT_APPLICATION_STATUSES: Record<ApplicationStatus, ApplicationStatus[]> = {
  applied: ['in-progress', 'approved', 'refused', 'withdrawn'],
  'in-progress': ['approved', 'refused', 'withdrawn'],
  approved: [],
  refused: [],
  withdrawn: [],
};

export function nextApplicationStatuses(status: ApplicationStatus): ApplicationStatus[] {
  return NEXT_APPLICATION_STATUSES[status];
}

export function canMoveApplication(from: ApplicationStatus, to: ApplicationStatus): boolean {
  return NEXT_APPLICATION_STATUSES[from].includes(to);
}

/**
 * The regulator's unique reference numbers: social care URNs such as SC123456, or a plain number of
 * six or seven digits for local authorities and older registrations.
 */
export const URN_PATTERN = /^(SC\d{6}|\d{6,7})$/;

/** Full UK postcode; stored upper case with one space before the inward code. */
const POSTCODE_PATTERN = /^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$/;

export function normalisePostcode(value: string): string {
  const compact = value.trim().toUpperCase().replace(/\s+/g, ' ');
  const match = compact.match(POSTCODE_PATTERN);
  return match ? `${match[1]} ${match[2]}` : compact;
}

const text = requiredText;

/** What a planner enters to register a provider; messages follow the GOV.UK Design System. */
export const providerInput = z.object({
  urn: z
    .string({ message: 'Enter the unique reference number' })
    .trim()
    .toUpperCase()
    .min(1, 'Enter the unique reference number')
    .regex(URN_PATTERN, 'Unique reference number must be SC followed by 6 digits, or 6 or 7 digits'),
  name: text('Enter the provider’s name', 200, 'Name must be 200 characters or fewer'),
  type: z.enum(Object.keys(PROVIDER_TYPES) as [ProviderType, ...ProviderType[]], {
    message: 'Select the type of provider',
  }),
  sector: z.enum(Object.keys(SECTORS) as [keyof typeof SECTORS], { message: 'Select the sector' }),
  addressLine1: text('Enter address line 1', 200, 'Address line 1 must be 200 characters or fewer'),
  addressLine2: z
    .string({ message: 'Address line 2 must be text' })
    .trim()
    .max(200, 'Address line 2 must be 200 characters or fewer')
    .nullish()
    .transform((value) => (value ? value : null)),
  town: text('Enter the town or city', 100, 'Town or city must be 100 characters or fewer'),
  postcode: z
    .string({ message: 'Enter the postcode' })
    .min(1, 'Enter the postcode')
    .transform(normalisePostcode)
    .refine((value) => POSTCODE_PATTERN.test(value), 'Enter a full UK postcode, like SW1A 2AA'),
  localAuthority: text('Enter the local authority', 100, 'Local authority must be 100 characters or fewer'),
  region: z.enum(REGIONS, { message: 'Select the region' }),
  places: z
    .number({ message: 'Enter the number of places as a whole number' })
    .int('Number of places must be a whole number')
    .min(0, 'Number of places must be 0 or more')
    .max(1000, 'Number of places must be 1,000 or fewer'),
  status: z
    .enum(Object.keys(PROVIDER_STATUSES) as [keyof typeof PROVIDER_STATUSES], {
      message: 'Select the registration status',
    })
    .default('registered'),
  ownerGroupId: z.uuid({ message: 'Select an owner group from the list' }).nullish().default(null),
  registeredOn: isoDate('Enter the registration date as a real date, like 2024-03-27'),
  /** The day it closed or its registration was cancelled; today when a status change gives none. */
  leftRegisterOn: isoDate(
    'Enter the date it closed or was cancelled as a real date, like 2024-03-27',
  ).nullish(),
});
export type ProviderInput = z.output<typeof providerInput>;

/** A change to some fields; `version`, when sent, must be the version the change was based on. */
export const providerChange = providerInput.partial().extend({
  version: z.number({ message: 'Version must be a whole number' }).int().min(1).optional(),
});
export type ProviderChange = z.output<typeof providerChange>;

export const applicationInput = z.object({
  buildings: z
    .number({ message: 'Enter the number of buildings as a whole number' })
    .int('Number of buildings must be a whole number')
    .min(2, 'A multi-building application covers 2 or more buildings')
    .max(50, 'Number of buildings must be 50 or fewer'),
  description: text(
    'Describe the buildings in the application',
    2000,
    'Description must be 2,000 characters or fewer',
  ),
  submittedOn: isoDate('Enter the date the application was made, like 2024-03-27'),
});
export type ApplicationInput = z.output<typeof applicationInput>;

/**
 * What stops an application being recorded for this provider on `today`: multi-building registration is
 * for children's homes only (seed 000: "a provider can apply to register a single home where care and
 * accommodation are provided in more than one building"), and an application cannot have been made after
 * today.
 */
export function applicationProblems(
  providerType: string,
  submittedOn: IsoDate,
  today: IsoDate,
): FieldError[] {
  const errors: FieldError[] = [];
  if (providerType !== 'childrens-home') {
    errors.push({
      field: 'providerId',
      message: 'A multi-building application can only be made for a children’s home',
    });
  }
  if (submittedOn > today) {
    errors.push({
      field: 'submittedOn',
      message: 'The date the application was made must be today or in the past',
    });
  }
  return errors;
}

export const applicationStatusChange = z.object({
  status: z.enum(Object.keys(APPLICATION_STATUSES) as [ApplicationStatus], {
    message: 'Select the new status',
  }),
  note: z
    .string({ message: 'Note must be text' })
    .trim()
    .max(2000, 'Note must be 2,000 characters or fewer')
    .nullish()
    .transform((value) => (value ? value : null)),
});

export const ownerGroupInput = z.object({
  name: text('Enter the owner group’s name', 200, 'Name must be 200 characters or fewer'),
});
