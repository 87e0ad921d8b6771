import type { MethodName, PresetId } from '../../../engine/experiment/spec';
import type { SpecDraft } from '../../hooks/useSpecDraft';
import type { HideableSection } from '../../lib/shareLink';
import { addMethod, matchingPreset, presetSpec, removeMethod, resetMethodParams, setMethodSettings } from '../../lib/specEdit';
import { AttributionSettings } from './AttributionSettings';
import { ExperimentSetup } from './ExperimentSetup';
import { MethodList } from './MethodList';
import { PresetBar } from './PresetBar';

interface Props {
  specDraft: SpecDraft;
  disabled: boolean;
  hidden: (section: HideableSection) => boolean;
  /** Measured training images/s, for the presets' times. */
  imagesPerSec?: number;
}

/** Step 1: a preset, the experiment's numbers, the methods to compare and the attribution estimator. */
export function SetupStep({ specDraft: { draft, checked, spec, edit, change }, disabled, hidden, imagesPerSec }: Props) {
  if (hidden('presets') && hidden('setup') && hidden('methods')) return null;
  return (
    <section className="panel step" aria-labelledby="setup-heading">
      <h2 id="setup-heading">1 · Set up the experiment</h2>
      {!hidden('presets') && (
        <PresetBar
          current={spec ? matchingPreset(spec) : undefined}
          disabled={disabled}
          imagesPerSec={imagesPerSec}
          onPick={(id: PresetId) => edit(presetSpec(id))}
        />
      )}
      {!hidden('setup') && <ExperimentSetup draft={draft} errors={checked.errors} disabled={disabled} onChange={change} />}
      {!hidden('methods') && (
        <div className="methods-row">
          <div>
            <h3>Methods to compare</h3>
            <MethodList
              draft={draft}
              errors={checked.errors}
              disabled={disabled}
              onChange={change}
              onAdd={(m: MethodName) => edit(addMethod(draft, m))}
              onRemove={(i) => edit(removeMethod(draft, i))}
              onReset={(i) => edit(resetMethodParams(draft, i))}
              onSettings={(i, settings) => edit(setMethodSettings(draft, i, settings))}
            />
          </div>
          <AttributionSettings draft={draft} errors={checked.errors} disabled={disabled} onChange={change} />
        </div>
      )}
    </section>
  );
}
