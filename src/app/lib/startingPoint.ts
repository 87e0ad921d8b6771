/**
 * Which experiment the page opens with: the link's, else the one last edited in this browser, else the
 * default. A link that cannot be used gives the default plus a message naming the problem — the
 * experiment kept from the last visit is not overwritten, and the page offers to restore it.
 */
import { DEFAULT_SPEC, type ExperimentSpec } from '../../engine/experiment/spec';
import { NO_OPTIONS, readHash, type LinkOptions } from './shareLink';

export interface StartingPoint {
  spec: ExperimentSpec;
  options: LinkOptions;
  notice?: { kind: 'error' | 'opened' | 'migrated'; message: string };
  fromLink: boolean;
}

/** `ownHash`: the hash this tab wrote itself; finding it again (a reload) is not opening a link. */
export function startingPoint(hash: string, lastSpec: ExperimentSpec | undefined, ownHash?: string): StartingPoint {
  const reading = readHash(hash);
  switch (reading.kind) {
    case 'spec':
      return {
        spec: reading.spec,
        options: reading.options,
        fromLink: true,
        notice:
          hash === ownHash
            ? undefined
            : reading.migratedFrom !== undefined
              ? {
                  kind: 'migrated',
                  message: `This link was made by an older version (spec version ${reading.migratedFrom}) and was converted to the current one.`,
                }
              : reading.options.autorun
                ? undefined
                : {
                    kind: 'opened',
                    message:
                      'Opened the experiment in the link. If it ran in this browser before, its results show below; otherwise press Run (models already cached are reused).',
                  },
      };
    case 'error':
      return { spec: DEFAULT_SPEC, options: reading.options, fromLink: true, notice: { kind: 'error', message: reading.message } };
    case 'none':
      return { spec: lastSpec ?? DEFAULT_SPEC, options: reading.options ?? NO_OPTIONS, fromLink: false };
  }
}
