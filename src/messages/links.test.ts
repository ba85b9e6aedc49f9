import { afterEach, describe, expect, it } from 'vitest';
import { linkTo, useBaseUrl, withFullLinks } from './links.js';

describe('links in messages', () => {
  afterEach(() => useBaseUrl('http://localhost:3000'));

  it('makes each path in a message a full link on the base URL, leaving its punctuation outside', () => {
    useBaseUrl('https://inspect.example.gov.uk/');
    expect(
      withFullLinks('Read the draft and respond at /reports/4f1c/respond. See /inspections/9a/report'),
    ).toBe(
      'Read the draft and respond at https://inspect.example.gov.uk/reports/4f1c/respond. See https://inspect.example.gov.uk/inspections/9a/report',
    );
    expect(withFullLinks('/complaints/c1?saved=x, then (/messages).')).toBe(
      'https://inspect.example.gov.uk/complaints/c1?saved=x, then (https://inspect.example.gov.uk/messages).',
    );
  });

  it('keeps a path prefix of the base URL', () => {
    useBaseUrl('https://example.gov.uk/inspectorate');
    expect(linkTo('/reports/1')).toBe('https://example.gov.uk/inspectorate/reports/1');
    expect(linkTo('reports/1')).toBe('https://example.gov.uk/inspectorate/reports/1');
  });

  it('leaves alone what is not a path on its own: full links, fractions, "and/or", dates', () => {
    useBaseUrl('https://example.gov.uk');
    const text =
      'Already full: https://example.gov.uk/reports/1. Staff and/or managers; 1/2 of the points; 17/06/2024; / alone.';
    expect(withFullLinks(text)).toBe(text);
  });
});
