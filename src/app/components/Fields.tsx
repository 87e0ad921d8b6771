import { useEffect, useId, useState, type ReactNode } from 'react';

/** A field's hint and error, outside its label (so the label stays the accessible name) and linked by aria-describedby. */
export function FieldNotes({ id, hint, error }: { id: string; hint?: ReactNode; error?: string }) {
  return (
    <>
      {hint && (
        <small id={`${id}-hint`} className="field-hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      )}
    </>
  );
}

export function describedBy(id: string, p: { hint?: ReactNode; error?: string }): string | undefined {
  const ids = [p.hint ? `${id}-hint` : '', p.error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

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
  const id = useId();
  return (
    <div className={`field${p.error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{p.label}</label>
      <input
        id={id}
        aria-describedby={describedBy(id, p)}
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
      <FieldNotes id={id} hint={p.hint} error={p.error} />
    </div>
  );
}

export function SelectField<T extends string>(
  p: Common & { value: T; options: readonly { value: T; label: string }[]; onChange: (v: T) => void },
) {
  const id = useId();
  return (
    <div className={`field${p.error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{p.label}</label>
      <select
        id={id}
        aria-describedby={describedBy(id, p)}
        aria-invalid={!!p.error}
        value={p.value}
        disabled={p.disabled}
        data-testid={p.testId}
        onChange={(e) => p.onChange(e.currentTarget.value as T)}
      >
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldNotes id={id} hint={p.hint} error={p.error} />
    </div>
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
