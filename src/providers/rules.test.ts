import { describe, expect, it } from 'vitest';
import {
  APPLICATION_STATUSES,
  applicationProblems,
  canMoveApplication,
  leftRegisterOn,
  normalisePostcode,
  providerInput,
  type ApplicationStatus,
} from './rules.js';

const valid = {
  urn: 'sc123456',
  name: '  Kestrel House ',
  type: 'childrens-home',
  sector: 'private',
  addressLine1: '1 Lane',
  town: 'Leeds',
  postcode: 'ls14ab',
  localAuthority: 'Leeds',
  region: 'London',
  places: 3,
  registeredOn: '2024-02-29',
};

describe('providerInput', () => {
  it('accepts a complete provider, tidying the reference, name and postcode', () => {
    const parsed = providerInput.parse(valid);
    expect(parsed).toMatchObject({
      urn: 'SC123456',
      name: 'Kestrel House',
      postcode: 'LS1 4AB',
      status: 'registered',
      ownerGroupId: null,
      addressLine2: null,
    });
  });

  it.each([
    ['urn', 'SC12345', 'Unique reference number must be SC followed by 6 digits, or 6 or 7 digits'],
    ['urn', '12345678', 'Unique reference number must be SC followed by 6 digits, or 6 or 7 digits'],
    ['postcode', 'LS1', 'Enter a full UK postcode, like SW1A 2AA'],
    ['places', -1, 'Number of places must be 0 or more'],
    ['places', 2.5, 'Number of places must be a whole number'],
    ['registeredOn', '2023-02-29', 'Enter the registration date as a real date, like 2024-03-27'],
    ['region', 'Wales', 'Select the region'],
    ['name', '   ', 'Enter the provider’s name'],
  ])('refuses %s = %j with “%s”', (field, value, message) => {
    const result = providerInput.safeParse({ ...valid, [field]: value });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: [field], message });
  });

  it('accepts plain six and seven digit references', () => {
    expect(providerInput.parse({ ...valid, urn: '123456' }).urn).toBe('123456');
    expect(providerInput.parse({ ...valid, urn: '1234567' }).urn).toBe('1234567');
  });
});

describe('normalisePostcode', () => {
  it('puts one space before the inward code', () => {
    expect(normalisePostcode(' sw1a2aa ')).toBe('SW1A 2AA');
    expect(normalisePostcode('M1  1AE')).toBe('M1 1AE');
  });
});

describe('multi-building application statuses', () => {
  it('moves forward from applied and in progress, and never out of a decision', () => {
    expect(canMoveApplication('applied', 'in-progress')).toBe(true);
    expect(canMoveApplication('in-progress', 'approved')).toBe(true);
    expect(canMoveApplication('in-progress', 'applied')).toBe(false);
    for (const final of ['approved', 'refused', 'withdrawn'] as ApplicationStatus[]) {
      for (const to of Object.keys(APPLICATION_STATUSES) as ApplicationStatus[]) {
        expect(canMoveApplication(final, to)).toBe(false);
      }
    }
  });
});

describe('multi-building applications', () => {
  it('are for children’s homes only, made on or before today', () => {
    expect(applicationProblems('childrens-home', '2025-06-14', '2025-06-14')).toEqual([]);
    expect(applicationProblems('independent-fostering-agency', '2025-06-13', '2025-06-14')).toEqual([
      { field: 'providerId', message: 'A multi-building application can only be made for a children’s home' },
    ]);
    expect(applicationProblems('childrens-home', '2025-06-15', '2025-06-14').map((e) => e.field)).toEqual([
      'submittedOn',
    ]);
  });
});

describe('the day a provider left the register', () => {
  const today = '2025-06-14';
  it('is kept only for one closed or cancelled: given, else the one kept, else today', () => {
    expect(leftRegisterOn({ status: 'registered', registeredOn: '2020-01-01' }, '2024-01-01', today)).toEqual(
      {
        value: null,
        errors: [],
      },
    );
    expect(leftRegisterOn({ status: 'closed', registeredOn: '2020-01-01' }, null, today).value).toBe(today);
    expect(
      leftRegisterOn({ status: 'cancelled', registeredOn: '2020-01-01' }, '2024-01-01', today).value,
    ).toBe('2024-01-01');
    expect(
      leftRegisterOn(
        { status: 'closed', registeredOn: '2020-01-01', leftRegisterOn: '2023-05-05' },
        null,
        today,
      ).value,
    ).toBe('2023-05-05');
  });
  it('is refused before registration, after today, or for a provider still on the register', () => {
    const fields = (next: Parameters<typeof leftRegisterOn>[0]) =>
      leftRegisterOn(next, null, today).errors.map((e) => e.field);
    expect(fields({ status: 'closed', registeredOn: '2020-01-01', leftRegisterOn: '2019-12-31' })).toEqual([
      'leftRegisterOn',
    ]);
    expect(fields({ status: 'closed', registeredOn: '2020-01-01', leftRegisterOn: '2025-06-15' })).toEqual([
      'leftRegisterOn',
    ]);
    expect(fields({ status: 'suspended', registeredOn: '2020-01-01', leftRegisterOn: '2024-01-01' })).toEqual(
      ['leftRegisterOn'],
    );
  });
});
