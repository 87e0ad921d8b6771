import { useEffect, useId, useState } from 'react';
import { METRIC_NAMES, type MethodSettings, type MethodSpec, type MetricName } from '../../../engine/experiment/spec';
import { METHOD_CATALOG, methodMeta, type MethodName } from '../../../engine/unlearn/catalog';
import type { ParamInfo } from '../../../engine/unlearn/methodMeta';
import { errorUnder, methodDefaults, paramsEdited, type Draft } from '../../lib/specEdit';
import { describedBy, FieldNotes, NumberField, SelectField } from '../Fields';
import { InfoTip } from '../InfoTip';

interface Props {
  draft: Draft;
  errors: Record<string, string>;
  disabled: boolean;
  onChange: (path: (string | number)[], value: unknown) => void;
  onAdd: (method: MethodName) => void;
  onRemove: (index: number) => void;
  onReset: (index: number) => void;
  onSettings: (index: number, settings: MethodSettings) => void;
}

const METRIC_LABELS: Record<MetricName, string> = {
  klom: 'KLoM',
  accuracy: 'Accuracy',
  mia: 'Membership inference',
  'epsilon-score': 'ε score (NeurIPS 2023)',
  cost: 'Cost',
};

/** A comma-separated list of whole numbers, kept as typed while it is being edited. */
function ListField(p: {
  label: string;
  value: number[];
  hint?: string;
  error?: string;
  disabled: boolean;
  onChange: (v: number[]) => void;
}) {
  const [text, setText] = useState(p.value.join(', '));
  useEffect(() => {
    setText((t) => (sameList(parseList(t), p.value) ? t : p.value.join(', ')));
  }, [p.value]);
  const id = useId();
  return (
    <div className={`field${p.error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{p.label}</label>
      <input
        id={id}
        aria-describedby={describedBy(id, p)}
        type="text"
        value={text}
        disabled={p.disabled}
        onChange={(e) => {
          setText(e.currentTarget.value);
          p.onChange(parseList(e.currentTarget.value));
        }}
      />
      <FieldNotes id={id} hint={p.hint} error={p.error} />
    </div>
  );
}

const parseList = (t: string) =>
  t
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
const sameList = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function ParamField({
  info,
  value,
  error,
  disabled,
  onChange,
}: {
  info: ParamInfo;
  value: unknown;
  error?: string;
  disabled: boolean;
  onChange: (v: unknown) => void;
}) {
  if (Array.isArray(value)) {
    return (
      <ListField label={info.label} value={value as number[]} hint={info.hint} error={error} disabled={disabled} onChange={onChange} />
    );
  }
  return (
    <NumberField
      label={info.label}
      value={value as number}
      step={info.step}
      disabled={disabled}
      error={error}
      hint={info.hint}
      onChange={onChange}
    />
  );
}

const SETTINGS_OPTIONS: { value: MethodSettings; label: string }[] = [
  { value: 'browser', label: 'Browser scale (tuned)' },
  { value: 'published', label: 'Published' },
];

/** The browser-scale values that differ from the published ones, as `lr 0.003, epochs 4`. */
function browserSummary(method: MethodName): string {
  const meta = methodMeta(method);
  const browser = methodDefaults(method, 'browser') as Record<string, unknown>;
  return Object.keys(meta.published ?? {})
    .filter((k) => browser[k] !== (meta.published as Record<string, unknown>)[k])
    .map((k) => `${meta.paramInfo[k]?.label ?? k} ${String(browser[k])}`)
    .join(', ');
}

function MethodCard({
  m,
  index,
  errors,
  disabled,
  onChange,
  onRemove,
  onReset,
  onSettings,
}: { m: MethodSpec; index: number } & Omit<Props, 'draft' | 'onAdd' | 'onRemove' | 'onReset' | 'onSettings'> & {
    onRemove: () => void;
    onReset: () => void;
    onSettings: (settings: MethodSettings) => void;
  }) {
  const info = methodMeta(m.method);
  const params = Object.entries(m.params as Record<string, unknown>);
  const edited = paramsEdited(m);
  const problem = errorUnder(errors, `methods[${index}]`);
  return (
    <li
      className={`method-card${problem ? ' invalid' : ''}`}
      data-testid={`method-${m.id}`}
      {...(m.method === 'dmm' ? { 'data-tour': 'dmm' } : {})}
    >
      <div className="method-head">
        <strong>{info.label}</strong>
        {m.id !== m.method && <code>{m.id}</code>}
        {info.tip && <InfoTip label={info.label}>{info.tip}</InfoTip>}
        {info.needs?.attribution && <span className="tag">uses attribution</span>}
        {info.needs?.targets === 'oracle-mean' && <span className="tag">needs oracles</span>}
        {edited && <span className="tag edited">edited</span>}
        <button
          type="button"
          className="small"
          onClick={onRemove}
          disabled={disabled}
          aria-label={`Remove ${info.label}${m.id !== m.method ? ` (${m.id})` : ''}`}
        >
          Remove
        </button>
      </div>
      {info.published ? (
        <SelectField label="Settings" value={m.settings} disabled={disabled} options={SETTINGS_OPTIONS} onChange={(v) => onSettings(v)} />
      ) : null}
      <p className="method-source">
        {info.published && m.settings === 'browser'
          ? `Browser scale: ${browserSummary(m.method)}, chosen by the tuning run on a separate forget set (docs/results/tuning.md). Published: ${info.source}`
          : `Published: ${info.source}`}
      </p>
      {params.length > 0 && (
        <details>
          <summary>Hyperparameters{edited ? ' (edited)' : ''}</summary>
          <div className="form-grid">
            {params.map(([name, value]) => (
              <ParamField
                key={name}
                info={info.paramInfo[name] ?? { label: name }}
                value={value}
                disabled={disabled}
                error={
                  errors[`methods[${index}].params.${name}`] ??
                  Object.entries(errors).find(([k]) => k.startsWith(`methods[${index}].params.${name}[`))?.[1]
                }
                onChange={(v) => onChange(['methods', index, 'params', name], v)}
              />
            ))}
          </div>
          <button type="button" className="small" onClick={onReset} disabled={disabled || !edited}>
            Reset to the {m.settings === 'browser' ? 'browser-scale' : 'published'} values
          </button>
        </details>
      )}
      {problem && <p className="field-error">{problem}</p>}
    </li>
  );
}

/** The methods compared (each with its published preset and editable hyperparameters) and the metrics. */
export function MethodList(p: Props) {
  const [toAdd, setToAdd] = useState<MethodName>('scrub');
  return (
    <div className="methods">
      <ul className="method-list" aria-label="Methods compared">
        {p.draft.methods.map((m, i) => (
          <MethodCard
            key={`${m.id}-${i}`}
            m={m}
            index={i}
            errors={p.errors}
            disabled={p.disabled}
            onChange={p.onChange}
            onRemove={() => p.onRemove(i)}
            onReset={() => p.onReset(i)}
            onSettings={(settings) => p.onSettings(i, settings)}
          />
        ))}
      </ul>
      {p.errors.methods && <p className="field-error">methods: {p.errors.methods}</p>}
      <div className="add-method">
        <label className="field inline">
          <span>Add a method</span>
          <select value={toAdd} disabled={p.disabled} onChange={(e) => setToAdd(e.currentTarget.value as MethodName)}>
            {METHOD_CATALOG.map((m) => (
              <option key={m.name} value={m.name}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => p.onAdd(toAdd)} disabled={p.disabled}>
          Add
        </button>
      </div>
      <fieldset className="metrics-choice">
        <legend>Metrics</legend>
        {METRIC_NAMES.map((metric) => (
          <label key={metric} className="field checkbox">
            <input
              type="checkbox"
              checked={p.draft.metrics.includes(metric)}
              disabled={p.disabled}
              onChange={(e) =>
                p.onChange(
                  ['metrics'],
                  e.currentTarget.checked
                    ? METRIC_NAMES.filter((x) => x === metric || p.draft.metrics.includes(x))
                    : p.draft.metrics.filter((x) => x !== metric),
                )
              }
            />
            <span>{METRIC_LABELS[metric]}</span>
          </label>
        ))}
        {p.errors.metrics && <small className="field-error">{p.errors.metrics}</small>}
      </fieldset>
    </div>
  );
}
