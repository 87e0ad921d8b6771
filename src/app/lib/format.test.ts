import { describe, expect, it } from 'vitest';
import { bytes, seconds } from './format';

describe('bytes', () => {
  it('uses decimal units with one decimal below 100', () => {
    expect(bytes(0)).toBe('0 B');
    expect(bytes(812)).toBe('812 B');
    expect(bytes(1000)).toBe('1.0 kB');
    expect(bytes(12_345_678)).toBe('12.3 MB');
    expect(bytes(456_000_000)).toBe('456 MB');
    expect(bytes(999_999)).toBe('1.0 MB');
    expect(bytes(1.2e9)).toBe('1.2 GB');
  });

  it('shows a dash for missing values', () => {
    expect(bytes(undefined)).toBe('—');
    expect(bytes(Number.NaN)).toBe('—');
  });
});

describe('seconds', () => {
  it('rounds once, so a minute never shows 60 seconds', () => {
    expect(seconds(59.6)).toBe('1 min 0 s');
    expect(seconds(119.6)).toBe('2 min 0 s');
    expect(seconds(125)).toBe('2 min 5 s');
    expect(seconds(3599.7)).toBe('1 h 0 min');
    expect(seconds(7170)).toBe('2 h 0 min');
    expect(seconds(4.4)).toBe('4 s');
    expect(seconds(Number.NaN)).toBe('—');
  });
});
