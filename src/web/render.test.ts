import { describe, expect, it } from 'vitest';
import { templates } from './render.js';

describe('the govukDate filter', () => {
  it('writes a date as GOV.UK does, a far one a record may hold, and anything else as it is', () => {
    const render = (d: string) => templates.renderString('{{ d | govukDate }}', { d });
    expect(render('2024-06-14')).toBe('14 June 2024');
    expect(render('2024-06-14T10:00:00.000Z')).toBe('14 June 2024');
    // Counted from an inspection stored for 9999-12-31: it used to be cut to +010000-01, the 1st.
    expect(render('+010000-01-03')).toBe('3 January 10000');
    expect(render('not a date')).toBe('not a date');
  });
});
