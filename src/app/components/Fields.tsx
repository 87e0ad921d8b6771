import { useEffect, useState, type ReactNode } from 'react';

interface Common {
  label: string;
  disabled?: boolean;
  error?: string;
  hint?: ReactNode;
  testId?: string;
}

/** A labelled number input; an empty field reports NaN (the spec check names it). */
export function NumberField(p: Common & { value: number; step?: number; min?: number; max?: number; onChange: (v: number) => void }) {
  // Keep the text as typed ("0.", "1e-") while it is not yet a number.
  const [text, setText] = useState(Number.isFinite(p.value) ? String(p.value) : '');
  useEffect(() => {
    setText((t) => (Number(t) === p.value && t.trim() !== '' ? t : Number.isFinite(p.value) ? String(p.value) : t));
  }, [p.value]);
  return (
    <label className={`field${p.error ? ' invalid' : ''}`}>
      <span>{p.label}</span>
      <input
        type="number"
        value={text}
        step={p.step ?? 1}
        min={p.min}
        max={p.max}
        disabled={p.disabled}
        aria-invalid={!!p.error}
        data-testid={p.testId}
        onChange={(e) => {
          const t = e.currentTarget.value;
          setText(t);
          p.onChange(t.trim() === '' ? Number.NaN : Number(t));
        }}
      />
      {p.hint && <small className="field-hint">{p.hint}</small>}
      {p.error && <small className="field-error">{p.error}</small>}
    </label>
  );
}

export function SelectField<T extends string>(
  p: Common & { value: T; options: readonly { value: T; label: string }[]; onChange: (v: T) => void },
) {
  return (
    <label className={`field${p.error ? ' invalid' : ''}`}>
      <span>{p.label}</span>
      <select value={p.value} disabled={p.disabled} data-testid={p.testId} onChange={(e) => p.onChange(e.currentTarget.value as T)}>
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {p.hint && <small className="field-hint">{p.hint}</small>}
      {p.error && <small className="field-error">{p.error}</small>}
    </label>
  );
}

export function CheckboxField(p: Common & { checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label className="field checkbox">
      <input type="checkbox" checked={p.checked} disabled={p.disabled} onChange={(e) => p.onChange(e.currentTarget.checked)} />
      <span>{p.label}</span>
    </label>
  );
}
