/**
 * The shipped "DMM vs attribution" study (public/studies/dmm-vs-skill.json, written by `npm run skill-study`):
 * DMM's forget-split distance to the oracles against the attribution skill of its targets, across estimators and
 * budgets; and the same point for a result the page holds.
 */
import { z } from 'zod';
import type { RequestResult } from '../../engine/experiment/result';
import type { ExperimentSpec } from '../../engine/experiment/spec';

const num = z.union([z.number(), z.string().transform(Number)]);

const studySchema = z.object({
  about: z.string(),
  n: z.int(),
  points: z.array(
    z.object({
      name: z.string(),
      attribution: z.object({ estimator: z.enum(['datamodels', 'trak']), models: z.int(), terms: z.string().optional() }),
      skill: z.object({ skill: num, shiftR: num, shiftSlope: num }),
      attributionCost: num,
      gklForget: z.object({ doNothing: num, dmDirect: num, dmm: num, floor: num }),
    }),
  ),
});

export type SkillStudy = z.output<typeof studySchema>;
export type StudyPoint = SkillStudy['points'][number];

export const SKILL_STUDY_URL = `${import.meta.env.BASE_URL}studies/dmm-vs-skill.json`;

/** Fetches and checks the shipped study; throws a message that names the problem. */
export async function loadSkillStudy(fetchFn: typeof fetch = fetch): Promise<SkillStudy> {
  const response = await fetchFn(SKILL_STUDY_URL);
  if (!response.ok) throw new Error(`the study file ${SKILL_STUDY_URL} could not be loaded (HTTP ${response.status})`);
  const parsed = studySchema.safeParse(await response.json());
  if (!parsed.success) throw new Error(`the study file ${SKILL_STUDY_URL} is not a DMM-vs-skill study: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/**
 * How an attribution is named: `48 subset models, diagonal terms`, `TRAK, 1 model`, `100 subset models + 4 gradient
 * kernels` (a result's attribution says how many kernels it used; a spec's only that it uses them).
 */
export function attributionName(a: { estimator: string; models: number; terms?: string; kernel?: { models: number } }): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (a.estimator === 'trak') return `TRAK, ${plural(a.models, 'model')}`;
  if (a.kernel) return `${a.models} subset models + ${plural(a.kernel.models, 'gradient kernel')}`;
  if (a.terms === 'kernel') return `${a.models} subset models + gradient kernels`;
  if (a.terms === undefined) return `${a.models} subset models`;
  return `${a.models} subset models, ${a.terms} terms`;
}

/** This result's own point (forget skill, DMM's forget GKL), when it ran DMM with an attribution; the first DMM entry. */
export function resultPoint(result: RequestResult, spec: ExperimentSpec): { skill: number; dmm: number; label: string } | undefined {
  const dmm = spec.methods.find((m) => m.method === 'dmm');
  const gkl = dmm && result.groups[dmm.id]?.gkl?.forget.mean;
  if (!result.attribution || gkl === undefined) return undefined;
  return { skill: result.attribution.skill.forget.skill, dmm: gkl, label: `this experiment (${attributionName(spec.attribution)})` };
}
