/**
 * Okabe–Ito colours (distinguishable with the common colour-vision deficiencies). Every chart also
 * names its series in a legend and a table, so colour is never the only cue.
 */
import type { SplitKey } from '../../engine/experiment/result';

export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
} as const;

export const SPLIT_COLOURS: Record<SplitKey, string> = {
  forget: OKABE_ITO.vermillion,
  retain: OKABE_ITO.blue,
  validation: OKABE_ITO.green,
};

export const ORACLE_COLOUR = OKABE_ITO.black;
export const ORIGINAL_COLOUR = OKABE_ITO.vermillion;
export const FLOOR_COLOUR = '#8c8c8c';

const METHOD_COLOURS = [OKABE_ITO.blue, OKABE_ITO.green, OKABE_ITO.orange, OKABE_ITO.purple, OKABE_ITO.skyBlue, '#7a6a00'];

const SHAPES = ['circle', 'diamond', 'square', 'triangle', 'star', 'cross', 'wye'] as const;

/** A marker shape per group (with its colour, so colour is never the only cue in scatter plots). */
export function groupShape(key: string, order: readonly string[]): (typeof SHAPES)[number] {
  const i = Math.max(0, order.filter((k) => k !== 'oracle').indexOf(key));
  return SHAPES[i % SHAPES.length];
}

/** A stable colour per group: the original, the oracle, the floor, then methods in order. */
export function groupColour(key: string, order: readonly string[]): string {
  if (key === 'oracle') return ORACLE_COLOUR;
  if (key === 'original') return ORIGINAL_COLOUR;
  if (key === 'noise-floor') return FLOOR_COLOUR;
  const methods = order.filter((k) => k !== 'oracle' && k !== 'original' && k !== 'noise-floor');
  const i = Math.max(0, methods.indexOf(key));
  return METHOD_COLOURS[i % METHOD_COLOURS.length];
}
