import { describe, expect, it } from 'vitest';
import { planExperiment } from './plan';
import { parseSpec } from './spec';

// The example specs shipped in examples/ must stay valid as the schema evolves.
const examples = import.meta.glob<{ default: unknown }>('../../../examples/**/*.json', { eager: true });

describe('examples/**/*.json', () => {
  it('are found', () => {
    expect(Object.keys(examples).length).toBeGreaterThanOrEqual(5);
  });
  for (const [file, module] of Object.entries(examples)) {
    it(`${file.replace('../../../', '')} is a valid spec with a plan`, () => {
      const spec = parseSpec(module.default);
      expect(planExperiment(spec).totalModels).toBeGreaterThan(0);
    });
  }
});
