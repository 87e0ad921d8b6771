import { useCallback, useEffect, useMemo, useState } from 'react';
import { canonicalJson, type ExperimentSpec } from '../../engine/experiment/spec';
import { rememberOwnHash, saveLastSpec } from '../lib/savedState';
import { buildHash, type LinkOptions } from '../lib/shareLink';
import { checkDraft, setIn, type Draft, type ParsedDraft } from '../lib/specEdit';

export interface SpecDraft {
  /** What the controls show, possibly invalid (NaN in a cleared number field). */
  draft: Draft;
  checked: ParsedDraft;
  /** The draft once it is a valid spec. */
  spec?: ExperimentSpec;
  /** `spec` as canonical JSON: compares specs by value (the object is new after every edit). */
  specText?: string;
  /** Whether the user changed anything since the page opened. */
  edited: boolean;
  edit: (next: Draft) => void;
  change: (path: (string | number)[], value: unknown) => void;
}

/**
 * The experiment being set up. The URL hash follows the valid spec (replaceState: no history entry per
 * keystroke) and the spec is kept for the next visit. `keepLink`: the page opened a link it could not
 * use, which stays in the address bar until the user changes something.
 */
export function useSpecDraft(initialSpec: ExperimentSpec, linkOptions: LinkOptions, keepLink = false): SpecDraft {
  const [draft, setDraft] = useState<Draft>(initialSpec);
  const [edited, setEdited] = useState(false);

  const checked = useMemo(() => checkDraft(draft), [draft]);
  const spec = checked.ok ? checked.spec : undefined;
  const specText = useMemo(() => (spec ? canonicalJson(spec) : undefined), [spec]);

  const edit = useCallback((next: Draft) => {
    setDraft(next);
    setEdited(true);
  }, []);
  const change = useCallback((path: (string | number)[], value: unknown) => {
    setDraft((current) => setIn(current, path, value));
    setEdited(true);
  }, []);

  useEffect(() => {
    if (!spec) return;
    if (keepLink && !edited) return;
    const hash = buildHash(spec, { embed: linkOptions.embed, hide: linkOptions.hide });
    if (location.hash !== hash) history.replaceState(history.state, '', `${location.pathname}${location.search}${hash}`);
    rememberOwnHash(hash);
    saveLastSpec(spec);
  }, [spec, edited, keepLink, linkOptions]);

  return { draft, checked, spec, specText, edited, edit, change };
}
