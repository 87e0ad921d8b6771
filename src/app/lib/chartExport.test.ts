import { describe, expect, it } from 'vitest';
import { wrapText } from './chartExport';

describe('wrapText', () => {
  it('wraps words to a width and shortens a word too long for it', () => {
    expect(wrapText('Datamodel Matching · KLoM 10.82', 100, 6.6)).toEqual(['Datamodel', 'Matching · KLoM', '10.82']);
    expect(wrapText('Supercalifragilistic', 40, 6.6)).toEqual(['Super…']);
    expect(wrapText('', 100)).toEqual([]);
  });
});
