import { useMemo, useState } from 'react';
import type { ForgetGenerator } from '../../../engine/experiment/spec';
import type { ForgetPreview } from '../../lib/forgetPreview';
import type { ImageStore } from '../../lib/imageStore';
import { classMix, describeGenerator, errorUnder, formatIndexList, parseIndexList, toggleIndices, type Draft } from '../../lib/specEdit';
import { NumberField, SelectField } from '../Fields';
import { InfoTip } from '../InfoTip';
import { VirtualImageGrid } from './VirtualImageGrid';
import { errorMessage } from '../../../worker/protocol';

interface Props {
  draft: Draft;
  errors: Record<string, string>;
  disabled: boolean;
  store?: ImageStore;
  storeVersion: number;
  classNames: readonly string[];
  preview: ForgetPreview;
  /** Forget sets per request as computed by the last run of this same spec (for the structured kinds). */
  ranForget?: number[][];
  current?: number;
  onInspect: (example: number) => void;
  onForget: (forget: ForgetGenerator[]) => void;
}

type Kind = ForgetGenerator['kind'];

const KIND_OPTIONS: { value: Kind; label: string }[] = [
  { value: 'indices', label: 'Picked by hand' },
  { value: 'random', label: 'Random k images' },
  { value: 'class', label: 'A class (all or k)' },
  { value: 'subpopulation', label: 'Coherent subpopulation' },
  { value: 'neighbours', label: 'Nearest neighbours of an image' },
];

/** A new generator of `kind`, carrying over what makes sense from the old one. */
function generatorOf(kind: Kind, old: ForgetGenerator, selection: number[], anchor: number): ForgetGenerator {
  const k = 'k' in old && old.k !== undefined ? old.k : old.kind === 'indices' ? Math.max(1, old.indices.length) : 50;
  switch (kind) {
    case 'random':
      return { kind, k, seed: 0 };
    case 'class':
      return { kind, classIndex: 3, seed: 0 };
    case 'indices':
      return { kind, indices: selection.length > 0 ? selection : [anchor] };
    case 'subpopulation':
      return { kind, k, component: 0, side: 'both', seed: 0, features: 'penultimate' };
    case 'neighbours':
      return { kind, anchor, k, features: 'penultimate' };
  }
}

function ClassMix({ counts, classNames }: { counts: number[]; classNames: readonly string[] }) {
  const max = Math.max(1, ...counts);
  return (
    <table className="class-mix" aria-label="Class mix of the forget set">
      <tbody>
        {counts.map((c, k) => (
          <tr key={k}>
            <th scope="row">{classNames[k]}</th>
            <td className="class-mix-bar">
              <span style={{ width: `${(c / max) * 100}%` }} />
            </td>
            <td className="num">{c}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Step 2: the forget set. Generators (all seeded), the image grid to pick by hand, and the selection with its size and class mix. */
export function ForgetSetPicker(p: Props) {
  const [request, setRequest] = useState(0);
  const [filter, setFilter] = useState<string>('all');
  const [listText, setListText] = useState<string>();
  const [listError, setListError] = useState<string>();
  const r = Math.min(request, p.draft.forget.length - 1);
  const g = p.draft.forget[r];
  const size = p.draft.dataset.trainSize;
  const labels = p.store?.labelsComplete ? p.store.labels : undefined;

  const selection: number[] | undefined = useMemo(() => {
    if (p.preview.kind === 'known' || (p.preview.kind === 'needs-run' && r < p.preview.from)) return p.preview.requests[r];
    if (g.kind === 'indices') return g.indices;
    return p.ranForget?.[r];
  }, [p.preview, r, g, p.ranForget]);
  const selected = useMemo(() => new Set(selection ?? []), [selection]);
  const mix = useMemo(() => classMix(selected, labels ?? p.store?.labels), [selected, labels, p.store, p.storeVersion]);

  const items = useMemo(() => {
    const all = Array.from({ length: Math.min(size, p.store?.total ?? 0) }, (_, i) => i);
    if (filter === 'all') return all;
    if (filter === 'selected') return all.filter((i) => selected.has(i));
    const c = Number(filter);
    return labels ? all.filter((i) => labels[i] === c) : all;
  }, [size, p.store, filter, selected, labels]);

  const setGenerator = (next: ForgetGenerator) => {
    const forget = [...p.draft.forget];
    forget[r] = next;
    p.onForget(forget);
  };
  const set = (patch: Record<string, unknown>) => setGenerator({ ...g, ...patch } as ForgetGenerator);

  const toggle = (indices: number[], add: boolean) => {
    const base = g.kind === 'indices' ? g.indices : (selection ?? []);
    setGenerator({ kind: 'indices', indices: toggleIndices(base, indices, add) });
    setListText(undefined);
  };

  const anchor = p.current !== undefined && p.current < size ? p.current : g.kind === 'neighbours' ? g.anchor : 0;
  const problem =
    errorUnder(p.errors, `forget[${r}]`) ?? errorUnder(p.errors, 'forget') ?? (p.preview.kind === 'error' ? p.preview.message : undefined);

  return (
    <div className="forget-picker">
      <div className="forget-controls">
        <div className="request-tabs" role="group" aria-label="Deletion requests">
          {p.draft.forget.length > 1 &&
            p.draft.forget.map((_, k) => (
              <button
                key={k}
                type="button"
                className={`small${k === r ? ' active' : ''}`}
                aria-pressed={k === r}
                onClick={() => setRequest(k)}
              >
                Request {k + 1}
              </button>
            ))}
          <button
            type="button"
            className="small"
            disabled={p.disabled || p.draft.forget.length >= 20}
            title="Continual unlearning: a later request forgets more images from the model already unlearned"
            onClick={() => {
              p.onForget([...p.draft.forget, { kind: 'random', k: 10, seed: p.draft.forget.length }]);
              setRequest(p.draft.forget.length);
            }}
          >
            + Add a later request
          </button>
          {p.draft.forget.length > 1 && (
            <button
              type="button"
              className="small"
              disabled={p.disabled}
              onClick={() => {
                p.onForget(p.draft.forget.filter((_, k) => k !== r));
                setRequest(Math.max(0, r - 1));
              }}
            >
              Remove request {r + 1}
            </button>
          )}
        </div>
        <SelectField<Kind>
          label="How to choose"
          value={g.kind}
          options={KIND_OPTIONS}
          disabled={p.disabled}
          testId="forget-kind"
          onChange={(kind) => setGenerator(generatorOf(kind, g, selection ?? [], anchor))}
        />
        {(g.kind === 'random' || g.kind === 'subpopulation' || g.kind === 'neighbours') && (
          <NumberField
            label="How many (k)"
            value={g.k}
            min={1}
            disabled={p.disabled}
            onChange={(k) => set({ k })}
            error={p.errors[`forget[${r}].k`]}
            testId="forget-k"
          />
        )}
        {g.kind === 'class' && (
          <>
            <SelectField
              label="Class"
              value={String(g.classIndex)}
              options={p.classNames.map((c, k) => ({ value: String(k), label: c }))}
              disabled={p.disabled}
              onChange={(v) => set({ classIndex: Number(v) })}
            />
            <NumberField
              label="How many (empty = all)"
              value={g.k ?? Number.NaN}
              min={1}
              disabled={p.disabled}
              onChange={(k) => set({ k: Number.isNaN(k) ? undefined : k })}
              error={p.errors[`forget[${r}].k`]}
            />
          </>
        )}
        {g.kind === 'subpopulation' && (
          <>
            <NumberField
              label="Principal component"
              value={g.component + 1}
              min={1}
              disabled={p.disabled}
              onChange={(c) => set({ component: c - 1 })}
              error={p.errors[`forget[${r}].component`]}
            />
            <SelectField
              label="Which end"
              value={g.side}
              options={[
                { value: 'both', label: 'Both ends (half each)' },
                { value: 'top', label: 'Top' },
                { value: 'bottom', label: 'Bottom' },
              ]}
              disabled={p.disabled}
              onChange={(side) => set({ side })}
            />
            <SelectField
              label="Features"
              value={g.features}
              options={[
                { value: 'penultimate', label: 'Original model’s penultimate layer' },
                { value: 'datamodel', label: 'Datamodel matrix (needs subset models)' },
              ]}
              disabled={p.disabled}
              onChange={(features) => set({ features })}
              error={p.errors[`forget[${r}].features`]}
            />
          </>
        )}
        {g.kind === 'neighbours' && (
          <div className="field">
            <span>Anchor image</span>
            <strong data-testid="anchor">#{g.anchor}</strong>
            <button
              type="button"
              className="small"
              disabled={p.disabled || p.current === undefined || p.current >= size || p.current === g.anchor}
              onClick={() => set({ anchor })}
            >
              {p.current !== undefined && p.current < size ? `Use image #${p.current}` : 'Click an image first'}
            </button>
          </div>
        )}
        {'seed' in g && (
          <NumberField
            label="Seed"
            value={g.seed}
            min={0}
            disabled={p.disabled}
            onChange={(seed) => set({ seed })}
            error={p.errors[`forget[${r}].seed`]}
          />
        )}

        <div className="selection-summary" aria-live="polite" data-tour="forget">
          <h3>
            Forget set F{' '}
            <InfoTip label="the forget set">
              F ⊂ S: the training images to unlearn. R = S \ F is the retain set; V, never trained on, is the validation set. An unlearned
              model should look as if it had been trained on R only.
            </InfoTip>
          </h3>
          <p data-testid="forget-size">
            {selection ? (
              <>
                <strong>{selection.length.toLocaleString('en')}</strong> of {size.toLocaleString('en')} training images (
                {((selection.length / size) * 100).toFixed(1)} %)
              </>
            ) : (
              <>Size {'k' in g && g.k !== undefined ? <strong>{g.k}</strong> : '—'}; which images is decided by the engine when it runs</>
            )}
            : {describeGenerator(g, p.classNames)}.
          </p>
          {p.preview.kind === 'needs-run' && r >= p.preview.from && !p.ranForget && (
            <p className="hint">
              This kind needs the original model’s features, so the images appear after a run. Click images to start a hand-picked list
              instead.
            </p>
          )}
          {p.preview.kind === 'needs-run' && r >= p.preview.from && p.ranForget && (
            <p className="hint">As computed by the last run of this experiment.</p>
          )}
          {problem && (
            <p className="field-error" role="alert">
              {problem}
            </p>
          )}
          {selection && <ClassMix counts={mix} classNames={p.classNames} />}
          <details
            onToggle={(e) => {
              if ((e.currentTarget as HTMLDetailsElement).open) setListText(formatIndexList(selection ?? []));
            }}
          >
            <summary>Edit as a list</summary>
            <label className="field">
              <span>Image numbers (ranges like 10-19 allowed)</span>
              <textarea
                rows={3}
                value={listText ?? formatIndexList(selection ?? [])}
                disabled={p.disabled}
                onChange={(e) => {
                  setListText(e.currentTarget.value);
                  setListError(undefined);
                }}
              />
            </label>
            {listError && <small className="field-error">{listError}</small>}
            <button
              type="button"
              className="small"
              disabled={p.disabled}
              onClick={() => {
                try {
                  const indices = parseIndexList(listText ?? '', size);
                  const outside = indices.find((i) => i >= size);
                  if (outside !== undefined) throw new Error(`image ${outside} is outside the training subset (0..${size - 1})`);
                  setGenerator({ kind: 'indices', indices });
                } catch (e) {
                  setListError(errorMessage(e));
                }
              }}
            >
              Apply list
            </button>
          </details>
          <button
            type="button"
            className="small"
            disabled={p.disabled || !selection || selection.length === 0}
            onClick={() => setGenerator({ kind: 'indices', indices: [] })}
          >
            Clear selection
          </button>
        </div>
      </div>

      <div className="forget-grid">
        <div className="grid-toolbar">
          <SelectField
            label="Show"
            value={filter}
            options={[
              { value: 'all', label: 'All training images' },
              { value: 'selected', label: 'Only the forget set' },
              ...p.classNames.map((c, k) => ({ value: String(k), label: `Only ${c}` })),
            ]}
            onChange={setFilter}
            testId="grid-filter"
          />
          <p className="hint grid-help">
            {items.length.toLocaleString('en')} shown. Click an image to inspect its margins; its check box (or Ctrl-, ⌘- or Shift-click)
            adds or removes it; drag to paint. Keys: arrows move, Space adds or removes, Enter inspects.
          </p>
        </div>
        {p.store ? (
          <VirtualImageGrid
            store={p.store}
            version={p.storeVersion}
            items={items}
            selected={selected}
            classNames={p.classNames}
            selectable={!p.disabled}
            current={p.current}
            onSelect={toggle}
            onInspect={p.onInspect}
            label="Training images: Space adds or removes the focused image, Enter inspects it"
          />
        ) : (
          <p className="hint">Loading images…</p>
        )}
      </div>
    </div>
  );
}
