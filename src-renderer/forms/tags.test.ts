import { describe, expect, it } from 'vitest';
import { formatTags, parseTags, withoutTag } from './tags';

describe('tags field', () => {
  it('splits on commas, trims, drops blanks and repeats in any case, keeping the typed order', () => {
    expect(parseTags(' web, db ,,Web, prod ,')).toEqual(['web', 'db', 'prod']);
    expect(parseTags('')).toEqual([]);
    expect(parseTags(' , ')).toEqual([]);
  });

  it('formats back to the text the field shows, and removes one chip whatever its case', () => {
    expect(formatTags(['web', 'db'])).toBe('web, db');
    expect(withoutTag('web, DB, prod', 'db')).toBe('web, prod');
  });
});
