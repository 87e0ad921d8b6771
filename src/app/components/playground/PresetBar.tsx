import { PRESETS, type PresetId } from '../../../engine/experiment/spec';
import { seconds } from '../../lib/format';
import { presetN, presetSeconds } from '../../lib/specEdit';

interface Props {
  current?: PresetId;
  disabled: boolean;
  /** Measured training images/s of this backend, for each card's time; undefined until measured. */
  imagesPerSec?: number;
  onPick: (id: PresetId) => void;
}

/** Whole-experiment presets: one click sets every control. Each card says its N and how long it takes here. */
export function PresetBar({ current, disabled, imagesPerSec, onPick }: Props) {
  return (
    <div className="preset-bar" role="group" aria-label="Experiment presets">
      {PRESETS.map((p) => {
        const time = presetSeconds(p.id, imagesPerSec);
        return (
          <button
            key={p.id}
            type="button"
            className={`preset${current === p.id ? ' active' : ''}`}
            aria-pressed={current === p.id}
            disabled={disabled}
            onClick={() => onPick(p.id)}
            title={p.description}
          >
            <strong>{p.name}</strong>
            <span>{p.description}</span>
            <span className="preset-time" data-testid={`preset-time-${p.id}`}>
              {time
                ? `≈ ${seconds(time.withPacks)} here with the shipped models (only the methods train), ≈ ${seconds(time.without)} without`
                : `N = ${presetN(p.id)}; its time here shows once the engine has measured this machine`}
            </span>
          </button>
        );
      })}
    </div>
  );
}
