import { useEffect, useRef, useState } from 'react';
import { errorMessage, type CacheEntryInfo, type CacheUsage } from '../../../worker/protocol';
import type { Engine } from '../../lib/engineClient';
import { bytes as formatBytes, count } from '../../lib/format';

interface Props {
  engine: Engine;
  /** A run (or another engine job) is in progress: clearing waits. */
  busy: boolean;
  /** Changes when a run ends, so the numbers are read again. */
  refreshKey: unknown;
}

/** The model cache: how many models and bytes it holds, what they are, and a confirmed Clear. */
export function CachePanel({ engine, busy, refreshKey }: Props) {
  const [usage, setUsage] = useState<CacheUsage>();
  const [entries, setEntries] = useState<CacheEntryInfo[]>();
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [clearing, setClearing] = useState(false);
  const [error, setError] = useState<string>();
  const [version, setVersion] = useState(0);
  const clearButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    let live = true;
    engine
      .cacheUsage()
      .then((u) => {
        if (!live) return;
        setUsage(u);
        setError(undefined);
      })
      .catch(
        (e) => live && setError(`The model cache could not be read: ${errorMessage(e)}. Runs still work; they just train everything.`),
      );
    if (open) {
      engine
        .cacheList()
        .then((list) => live && setEntries(list))
        .catch((e) => live && setError(`The model cache could not be listed: ${errorMessage(e)}.`));
    }
    return () => {
      live = false;
    };
  }, [engine, refreshKey, version, open]);

  useEffect(() => {
    if (busy) setConfirming(false);
  }, [busy]);

  const clear = async () => {
    setConfirming(false);
    setClearing(true);
    try {
      await engine.clearCache();
      setError(undefined);
    } catch (e) {
      setError(`Clearing the model cache failed: ${errorMessage(e)}.`);
    } finally {
      setClearing(false);
      setVersion((v) => v + 1);
      setTimeout(() => clearButton.current?.focus()); // once the button is back in place of the question
    }
  };

  const models = usage ? `${count(usage.entries)} ${usage.entries === 1 ? 'model' : 'models'}, ${formatBytes(usage.bytes)}` : 'reading…';

  return (
    <div className="cache-panel" data-testid="cache-panel">
      <p className="cache-summary">
        <strong>Model cache:</strong> <span data-testid="cache-usage">{models}</span>{' '}
        <span className="hint">(kept in this browser, so a rerun loads instead of training)</span>
      </p>
      <details
        onToggle={(e) => {
          setOpen(e.currentTarget.open);
        }}
      >
        <summary>Show cached models</summary>
        {entries === undefined ? (
          <p className="hint">Loading…</p>
        ) : entries.length === 0 ? (
          <p className="hint">The cache is empty.</p>
        ) : (
          <div className="cache-list">
            <table>
              <caption className="visually-hidden">Cached models</caption>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Description</th>
                  <th scope="col">Size</th>
                  <th scope="col">Date</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={entry.key}>
                    <td>{entry.kind}</td>
                    <td>{entry.description}</td>
                    <td className="num">{formatBytes(entry.bytes)}</td>
                    <td>
                      <time dateTime={entry.createdAt}>{new Date(entry.createdAt).toLocaleString()}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </details>
      <div className="buttons">
        {confirming ? (
          <span role="group" aria-label="Confirm clearing the model cache">
            Really clear {usage ? count(usage.entries) : 'all'} cached models? They will be trained again when needed.{' '}
            <button type="button" className="small" onClick={() => void clear()} data-testid="cache-clear-yes">
              Yes, clear
            </button>{' '}
            <button
              type="button"
              className="small"
              autoFocus
              onClick={() => {
                setConfirming(false);
                setTimeout(() => clearButton.current?.focus());
              }}
            >
              No
            </button>
          </span>
        ) : (
          <button
            type="button"
            ref={clearButton}
            onClick={() => setConfirming(true)}
            disabled={busy || clearing}
            title={busy ? 'Wait for the run to finish' : undefined}
            data-testid="cache-clear"
          >
            {clearing ? 'Clearing…' : 'Clear cached models'}
          </button>
        )}
      </div>
      {error && (
        <p className="warning" role="status" data-testid="cache-error">
          {error}
        </p>
      )}
    </div>
  );
}
