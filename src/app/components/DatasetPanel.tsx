import { useState, type DragEvent } from 'react';
import type { DataProgress, DatasetSummary, SavedDatasetInfo } from '../../worker/protocol';
import { ProgressBar } from './ProgressBar';

interface Props {
  dataset?: DatasetSummary;
  /** The full CIFAR-10 kept in this browser, loaded or not. */
  saved?: SavedDatasetInfo;
  /** One line on why the page switched datasets. */
  note?: string;
  progress?: DataProgress;
  error?: string;
  busy: boolean;
  onFiles: (files: File[]) => void;
  onUseEmbedded: () => void;
  onUseSaved: () => void;
  onForgetSaved: () => void;
}

/** Which data is loaded, and loading the full CIFAR-10 from the user's own files. */
export function DatasetPanel({ dataset, saved, note, progress, error, busy, onFiles, onUseEmbedded, onUseSaved, onForgetSaved }: Props) {
  const [dragging, setDragging] = useState(false);
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (!busy && e.dataTransfer.files.length > 0) onFiles(Array.from(e.dataTransfer.files));
  };
  return (
    <section className="panel" aria-labelledby="dataset-heading">
      <h2 id="dataset-heading">Dataset</h2>
      {dataset ? (
        <p data-testid="dataset-summary">
          <strong>{dataset.name}</strong>
          {dataset.counts.test ? ` with ${dataset.counts.test.toLocaleString()} test images` : ''}
          {dataset.source === 'saved' ? ' (kept in this browser from an earlier visit)' : ''}.
        </p>
      ) : (
        <p>Loading…</p>
      )}
      {dataset?.storeWarning && <p className="warning">{dataset.storeWarning}</p>}
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={drop}
      >
        <label className="file-button">
          Load full CIFAR-10…
          <input
            type="file"
            multiple
            accept=".gz,.tgz,.tar,.bin"
            disabled={busy}
            aria-label="Load full CIFAR-10 files"
            onChange={(e) => {
              const files = Array.from(e.currentTarget.files ?? []);
              e.currentTarget.value = '';
              if (files.length > 0) onFiles(files);
            }}
          />
        </label>
        <span>
          or drop <code>cifar-10-binary.tar.gz</code> (or its <code>data_batch_1..5.bin</code>, <code>test_batch.bin</code>) here. Files
          stay on your machine.
        </span>
      </div>
      {dataset && dataset.source !== 'embedded' && (
        <p>
          <button type="button" onClick={onUseEmbedded} disabled={busy}>
            Use embedded subset
          </button>{' '}
          {saved && (
            <button type="button" onClick={onForgetSaved} disabled={busy}>
              Forget saved dataset
            </button>
          )}
        </p>
      )}
      {dataset?.source === 'embedded' && saved && (
        <p data-testid="saved-dataset">
          {note ?? `${saved.name} (${saved.counts.train.toLocaleString('en')} training images) is saved in this browser.`}{' '}
          <button type="button" onClick={onUseSaved} disabled={busy}>
            Use the saved full CIFAR-10
          </button>{' '}
          <button type="button" onClick={onForgetSaved} disabled={busy}>
            Forget saved dataset
          </button>
        </p>
      )}
      {progress && (
        <div className="data-progress">
          <span>{progress.stage}</span>
          <ProgressBar fraction={progress.fraction} label="Dataset loading progress" />
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="dataset-error">
          {error}
        </p>
      )}
    </section>
  );
}
