import { PRESETS, type PresetId } from '../../../engine/experiment/spec';

/** Whole-experiment presets: one click sets every control. */
export function PresetBar({ current, disabled, onPick }: { current?: PresetId; disabled: boolean; onPick: (id: PresetId) => void }) {
  return (
    <div className="preset-bar" role="group" aria-label="Experiment presets">
      {PRESETS.map((p) => (
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
        </button>
      ))}
    </div>
  );
}
