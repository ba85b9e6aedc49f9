import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROVIDER_TYPES, REGIONS, SECTORS } from '../providers/rules.js';
import {
  csvLine,
  IMPORT_COLUMNS,
  parsePublishedDate,
  readGrade,
  readHeader,
  readRow,
  type ColumnMap,
  type ImportedProvider,
} from './rules.js';

const TODAY = '2026-11-25';

const HEADER = [
  'URN',
  'Provider type',
  'Sector',
  'Local authority',
  'Region',
  'Places',
  'Registration date',
  'Provider status',
  'Latest full inspection date',
  'Overall experiences and progress of children and young people',
  'Provider name',
  'Town',
  'Postcode',
];

function columns(header: string[] = HEADER): ColumnMap {
  const check = readHeader(header);
  if (!check.ok) throw new Error(check.problems.join('; '));
  return check.columns;
}

const GOOD: Record<string, string> = {
  URN: 'SC123456',
  'Provider type': "Children's home",
  Sector: 'Private',
  'Local authority': 'Leeds',
  Region: 'Yorkshire and The Humber',
  Places: '4',
  'Registration date': '03/11/2008',
  'Provider status': 'Active',
  'Latest full inspection date': '14/06/2023',
  'Overall experiences and progress of children and young people': 'Good',
  'Provider name': 'Elm House',
  Town: 'Leeds',
  Postcode: 'ls1 1aa',
};

function row(changes: Record<string, string> = {}, header = HEADER): string[] {
  const values = { ...GOOD, ...changes };
  return header.map((name) => values[name] ?? '');
}

function accepted(values: string[], map = columns()): ImportedProvider {
  const result = readRow(values, map, TODAY);
  if (!result.ok) throw new Error(result.reasons.join('; '));
  return result.provider;
}

function reasons(values: string[], map = columns()): string[] {
  const result = readRow(values, map, TODAY);
  if (result.ok) throw new Error('the row was accepted');
  return result.reasons;
}

describe('the header', () => {
  it('finds every column by its published name', () => {
    const map = columns();
    expect(map.index).toMatchObject({
      urn: 0,
      type: 1,
      sector: 2,
      localAuthority: 3,
      region: 4,
      places: 5,
      registeredOn: 6,
      status: 7,
      inspectionDate: 8,
      overallGrade: 9,
      name: 10,
      town: 11,
      postcode: 12,
    });
    expect(map.ignored).toEqual([]);
  });

  it('accepts every alias, ignoring case, spacing, apostrophes and a byte-order mark', () => {
    for (const spec of IMPORT_COLUMNS) {
      for (const name of spec.names) {
        const variant = `  ${name.toUpperCase().replace(/ /g, '  ')} `;
        const at = HEADER.findIndex((h) => spec.names.includes(h));
        const header = at >= 0 ? HEADER.map((h, i) => (i === at ? variant : h)) : [...HEADER, variant];
        const check = readHeader(header);
        expect(check.ok, `${name}: ${check.ok ? '' : check.problems.join('; ')}`).toBe(true);
        if (check.ok) expect(check.columns.index[spec.field]).toBe(at >= 0 ? at : HEADER.length);
      }
    }
    expect(readHeader(['\uFEFFurn', ...HEADER.slice(1)]).ok).toBe(true);
    expect(readHeader(['URN', 'Provision   Type', ...HEADER.slice(2)]).ok).toBe(true);
  });

  it('lists the columns it does not read', () => {
    expect(columns([...HEADER, 'Provider subtype', '', 'Organisation name']).ignored).toEqual([
      'Provider subtype',
      'Organisation name',
    ]);
  });

  it('refuses a file without a required column, naming the accepted names', () => {
    const check = readHeader(HEADER.filter((h) => h !== 'Registration date' && h !== 'Sector'));
    expect(check).toEqual({
      ok: false,
      problems: [
        'The file has no Sector column (accepted names: Sector, Provider sector)',
        'The file has no Registration date column (accepted names: Registration date, Date of registration)',
      ],
    });
  });

  it('refuses two columns that give the same field', () => {
    const check = readHeader([...HEADER, 'Inspection date']);
    expect(check).toEqual({
      ok: false,
      problems: [
        "Columns 'Latest full inspection date' and 'Inspection date' are both read as Latest full inspection date; remove one",
      ],
    });
  });
});

describe('a row', () => {
  it('maps a published row to the register', () => {
    expect(accepted(row())).toEqual({
      urn: 'SC123456',
      name: 'Elm House',
      type: 'childrens-home',
      sector: 'private',
      localAuthority: 'Leeds',
      region: 'Yorkshire and The Humber',
      places: 4,
      registeredOn: '2008-11-03',
      status: 'registered',
      addressLine1: null,
      addressLine2: null,
      town: 'Leeds',
      postcode: 'LS1 1AA',
      inspectionDate: '2023-06-14',
      frameworkId: 'childrens-homes',
      gradeId: 'good',
    });
  });

  it.each([
    ["Children's home", 'childrens-home'],
    ['CHILDREN’S HOME', 'childrens-home'],
    ["Secure children's home", 'childrens-home'],
    ['Supported accommodation', 'supported-accommodation'],
    ['Supported accommodation undertaking', 'supported-accommodation'],
    ['Independent fostering agency', 'independent-fostering-agency'],
    ['Voluntary adoption agency', 'voluntary-adoption-agency'],
    ['Adoption support agency', 'adoption-support-agency'],
    ['Residential family centre', 'residential-family-centre'],
    ['Residential special school', 'residential-special-school'],
    ['Local authority', 'local-authority'],
    ["Local authority children's services", 'local-authority'],
    ['independent-fostering-agency', 'independent-fostering-agency'],
  ])('reads the provider type %s as %s', (published, id) => {
    const provider = accepted(
      row({
        'Provider type': published,
        'Overall experiences and progress of children and young people': '',
      }),
    );
    expect(provider.type).toBe(id);
  });

  it('knows every type on our register by its label', () => {
    for (const [id, label] of Object.entries(PROVIDER_TYPES)) {
      expect(
        accepted(
          row({
            'Provider type': label,
            'Latest full inspection date': '',
            'Overall experiences and progress of children and young people': '',
          }),
        ).type,
      ).toBe(id);
    }
  });

  it.each([
    ['Private', 'private'],
    ['Local Authority', 'local-authority'],
    ['Voluntary', 'voluntary'],
    ['Health authority', 'health-authority'],
  ])('reads the sector %s as %s', (published, id) => {
    expect(accepted(row({ Sector: published })).sector).toBe(id);
    expect(Object.keys(SECTORS)).toContain(id);
  });

  it('reads every English region, and the short names for the East and Yorkshire', () => {
    for (const region of REGIONS) expect(accepted(row({ Region: region.toUpperCase() })).region).toBe(region);
    expect(accepted(row({ Region: 'East' })).region).toBe('East of England');
    expect(accepted(row({ Region: 'Yorkshire and the Humber' })).region).toBe('Yorkshire and The Humber');
  });

  it.each([
    ['Active', 'registered'],
    ['Registered', 'registered'],
    ['Suspended', 'suspended'],
    ['Cancelled', 'cancelled'],
    ['Closed', 'closed'],
    ['Resigned', 'closed'],
    ['', null],
  ])('reads the registration status %s as %s', (published, id) => {
    expect(accepted(row({ 'Provider status': published })).status).toBe(id);
  });

  it('reads dates written dd/mm/yyyy, d/m/yyyy or yyyy-mm-dd', () => {
    expect(accepted(row({ 'Registration date': '2008-11-03' })).registeredOn).toBe('2008-11-03');
    expect(accepted(row({ 'Registration date': '3/1/2008' })).registeredOn).toBe('2008-01-03');
    expect(parsePublishedDate('29/02/2024')).toBe('2024-02-29');
    expect(parsePublishedDate('29/02/2023')).toBeNull();
    expect(parsePublishedDate('2023-13-01')).toBeNull();
    expect(parsePublishedDate('03-11-2008')).toBeNull();
    expect(parsePublishedDate('11/03/08')).toBeNull();
  });

  it('reads any real date in either form, the same', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }),
        (date) => {
          const iso = date.toISOString().slice(0, 10);
          const [y, m, d] = iso.split('-');
          expect(parsePublishedDate(iso)).toBe(iso);
          expect(parsePublishedDate(`${d}/${m}/${y}`)).toBe(iso);
        },
      ),
    );
  });

  it('treats the published "nothing here" values as empty', () => {
    for (const empty of ['', '  ', 'NULL', 'N/A', '-']) {
      const provider = accepted(row({ 'Provider name': empty, Places: empty }));
      expect(provider.name).toBeNull();
      expect(provider.places).toBe(0);
    }
  });

  it('reads places with a thousands separator and keeps spacing inside names tidy', () => {
    const provider = accepted(row({ Places: '1,000', 'Provider name': '  The Old\nVicarage ' }));
    expect(provider.places).toBe(1000);
    expect(provider.name).toBe('The Old Vicarage');
  });

  it('names each bad value and its column, as the file spells it', () => {
    expect(reasons(row({ 'Registration date': '31/02/2020' }))).toEqual([
      "Registration date '31/02/2020' is not a date (write dd/mm/yyyy or yyyy-mm-dd)",
    ]);
    expect(reasons(row({ URN: 'X12' }))).toEqual([
      "URN 'X12' is not a reference number (SC and 6 digits, or 6 or 7 digits)",
    ]);
    expect(reasons(row({ 'Provider type': 'Boarding school' }))).toEqual([
      "Provider type 'Boarding school' is not a type of provider we register",
    ]);
    expect(reasons(row({ Sector: 'Charity' }))).toEqual([
      "Sector 'Charity' is not a sector (Private, Local authority, Voluntary or Health authority)",
    ]);
    expect(reasons(row({ Places: 'many' }))).toEqual(["Places 'many' is not a whole number"]);
    expect(reasons(row({ Places: '1001' }))).toEqual(["Places '1001' is more than 1,000"]);
    expect(reasons(row({ Places: '-3' }))).toEqual(["Places '-3' is not a whole number"]);
    expect(reasons(row({ Postcode: 'LS1' }))).toEqual(["Postcode 'LS1' is not a full UK postcode"]);
    expect(reasons(row({ 'Provider status': 'Dormant' }))[0]).toMatch(
      /^Provider status 'Dormant' is not a registration status/,
    );
    expect(reasons(row({ 'Registration date': '01/01/2027' }))).toEqual([
      "Registration date '01/01/2027' is in the future",
    ]);
    expect(reasons(row({ Region: 'North East, Yorkshire and the Humber' }))).toEqual([
      "Region 'North East, Yorkshire and the Humber' joins two English regions; give North East or Yorkshire and The Humber",
    ]);
    expect(reasons(row({ Region: 'Wales' }))[0]).toMatch(
      /^Region 'Wales' is not an English region \(North East, /,
    );
    expect(reasons(row({ 'Local authority': 'x'.repeat(101) }))).toEqual([
      'Local authority is longer than 100 characters',
    ]);
  });

  it('reports every problem of a row, and every empty required value', () => {
    expect(reasons(row({ URN: '', Sector: '', 'Registration date': 'soon' }))).toEqual([
      'URN is empty',
      'Sector is empty',
      "Registration date 'soon' is not a date (write dd/mm/yyyy or yyyy-mm-dd)",
    ]);
  });

  it('refuses a short row, but not a row with empty columns left off the end', () => {
    expect(reasons(['SC123456', "Children's home"])).toEqual(['the row has 2 fields but the header has 13']);
    const trimmed = row({ 'Provider name': '', Town: '', Postcode: '' }).slice(0, 10);
    expect(reasons(trimmed)).toEqual(['the row has 10 fields but the header has 13']);
  });

  it('reads a file without the optional columns', () => {
    const header = HEADER.slice(0, 7);
    const provider = accepted(row({}, header), columns(header));
    expect(provider).toMatchObject({
      name: null,
      status: null,
      inspectionDate: null,
      gradeId: null,
      postcode: null,
    });
  });

  it('refuses a grade without its inspection date', () => {
    expect(reasons(row({ 'Latest full inspection date': '' }))).toEqual([
      "Overall experiences and progress of children and young people 'Good' is given without a Latest full inspection date",
    ]);
  });

  it('keeps an inspection date without a grade, under the framework of the day', () => {
    const provider = accepted(row({ 'Overall experiences and progress of children and young people': '' }));
    expect(provider).toMatchObject({
      inspectionDate: '2023-06-14',
      frameworkId: 'childrens-homes',
      gradeId: null,
    });
  });
});

describe('published grades', () => {
  const column = 'Overall experiences and progress of children and young people';

  it.each([
    ['Outstanding', 'outstanding'],
    ['Good', 'good'],
    ['Requires improvement to be good', 'requires-improvement-to-be-good'],
    ['Requires Improvement', 'requires-improvement-to-be-good'],
    ['Inadequate', 'inadequate'],
    ['1', 'outstanding'],
    ['2', 'good'],
    ['3', 'requires-improvement-to-be-good'],
    ['4', 'inadequate'],
    ['Not judged', null],
  ])("reads %s for a children's home as %s under SCCIF", (word, id) => {
    expect(readGrade('childrens-home', '2023-06-14', word, column)).toEqual({
      ok: true,
      frameworkId: 'childrens-homes',
      gradeId: id,
    });
  });

  it('reads the third step by the name the framework of the day gave it', () => {
    expect(readGrade('local-authority', '2015-06-01', 'Requires improvement to be good', column)).toEqual({
      ok: true,
      frameworkId: 'sif-2013',
      gradeId: 'requires-improvement',
    });
    expect(readGrade('local-authority', '2012-06-01', 'Adequate', column)).toMatchObject({
      frameworkId: 'child-protection-2012',
      gradeId: 'satisfactory',
    });
    expect(readGrade('local-authority', '2019-07-19', '4', column)).toMatchObject({
      frameworkId: 'ilacs',
      gradeId: 'inadequate',
    });
  });

  it('reads supported accommodation outcomes by their words, not numbers', () => {
    expect(
      readGrade('supported-accommodation', '2025-01-15', 'Consistently strong service delivery', column),
    ).toEqual({ ok: true, frameworkId: 'supported-accommodation', gradeId: 'consistently-strong' });
    expect(readGrade('supported-accommodation', '2025-01-15', '2', column)).toMatchObject({ ok: false });
  });

  it('reads the published words for providers our rules hold no framework for', () => {
    expect(readGrade('independent-fostering-agency', '2022-10-10', 'Outstanding', column)).toEqual({
      ok: true,
      frameworkId: null,
      gradeId: 'outstanding',
    });
    expect(readGrade('childrens-home', '2016-01-01', 'Requires improvement', column)).toEqual({
      ok: true,
      frameworkId: null,
      gradeId: 'requires-improvement-to-be-good',
    });
  });

  it('refuses a word that is not on the scale, listing the scale', () => {
    expect(readGrade('childrens-home', '2023-06-14', 'Excellent', column)).toEqual({
      ok: false,
      reason: `${column} 'Excellent' is not a grade under SCCIF; expected Outstanding, Good, Requires improvement to be good or Inadequate`,
    });
  });
});

describe('the rejects file', () => {
  it('quotes what CSV needs quoted', () => {
    expect(csvLine([17, 'a, b', 'say "no"', null, 'line\nbreak'])).toBe(
      '17,"a, b","say ""no""",,"line\nbreak"\r\n',
    );
  });
});
