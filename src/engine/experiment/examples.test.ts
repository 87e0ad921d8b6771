import { describe, expect, it } from 'vitest';
import { planExperiment } from './plan';
import { DEFAULT_SPEC, parseSpec } from './spec';

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

describe('the Quick demo preset', () => {
  it('is examples/quick-demo.json, the measured recipe of docs/results.md', () => {
    expect(DEFAULT_SPEC).toEqual(parseSpec(examples['../../../examples/quick-demo.json'].default));
  });
});
