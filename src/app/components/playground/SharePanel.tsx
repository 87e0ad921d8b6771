import { useState } from 'react';
import type { ExperimentResult } from '../../../engine/experiment/result';
import type { ExperimentSpec } from '../../../engine/experiment/spec';
import { download } from '../../lib/chartExport';
import { exportName, metricsCsv, resultJson } from '../../lib/exportResults';
import { buildLink, HIDEABLE_SECTIONS, SECTION_LABELS, type HideableSection } from '../../lib/shareLink';

interface Props {
  spec?: ExperimentSpec;
  result?: ExperimentResult;
  onImport: (file: File) => void;
  importError?: string;
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Copy link (with autorun), an embed link for lessons, export and import of results. */
export function SharePanel({ spec, result, onImport, importError }: Props) {
  const [autorun, setAutorun] = useState(false);
  const [copied, setCopied] = useState<string>();
  const [hide, setHide] = useState<HideableSection[]>(['setup', 'methods', 'train']);
  const link = spec ? buildLink(location.href, spec, { autorun }) : undefined;
  const embedLink = spec ? buildLink(location.href, spec, { autorun, embed: true, hide }) : undefined;

  const copy = async (text: string, what: string) => {
    const ok = await copyText(text);
    setCopied(
      ok ? `${what} copied to the clipboard.` : `The clipboard is not available here; select the ${what.toLowerCase()} below and copy it.`,
    );
  };

  return (
    <div className="share-panel">
      <div className="share-row">
        <button type="button" onClick={() => link && copy(link, 'Link')} disabled={!link} data-testid="copy-link">
          Copy link
        </button>
        <label className="field checkbox">
          <input type="checkbox" checked={autorun} onChange={(e) => setAutorun(e.currentTarget.checked)} />
          <span>Run automatically when opened</span>
        </label>
        {!spec && <span className="hint">Fix the settings marked in red to get a link.</span>}
      </div>
      {link && (
        <input
          className="link-text"
          type="text"
          readOnly
          value={link}
          aria-label="Link to this experiment"
          data-testid="share-link"
          onFocus={(e) => e.currentTarget.select()}
        />
      )}
      <details className="embed">
        <summary>Embed in a lesson</summary>
        <fieldset>
          <legend>Hide these parts</legend>
          {HIDEABLE_SECTIONS.map((s) => (
            <label key={s} className="field checkbox">
              <input
                type="checkbox"
                checked={hide.includes(s)}
                onChange={(e) => setHide(e.currentTarget.checked ? [...hide, s] : hide.filter((x) => x !== s))}
              />
              <span>{SECTION_LABELS[s]}</span>
            </label>
          ))}
        </fieldset>
        {embedLink && (
          <>
            <input
              className="link-text"
              type="text"
              readOnly
              value={embedLink}
              aria-label="Embed link"
              onFocus={(e) => e.currentTarget.select()}
            />
            <button
              type="button"
              className="small"
              onClick={() =>
                copy(`<iframe src="${embedLink}" width="1100" height="900" title="Unlearning playground"></iframe>`, 'Embed code')
              }
            >
              Copy embed code
            </button>
          </>
        )}
      </details>
      <div className="share-row">
        <button
          type="button"
          disabled={!result}
          onClick={() => result && download(resultJson(result), exportName(result, 'results', 'json'), 'application/json')}
          data-testid="export-json"
        >
          Export results (JSON)
        </button>
        <button
          type="button"
          disabled={!result}
          onClick={() => result && download(metricsCsv(result), exportName(result, 'metrics', 'csv'), 'text/csv')}
          data-testid="export-csv"
        >
          Export metrics (CSV)
        </button>
        <label className="file-button secondary">
          Import results…
          <input
            type="file"
            accept=".json,application/json"
            aria-label="Import results JSON"
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (file) onImport(file);
            }}
          />
        </label>
      </div>
      {copied && (
        <p className="note" role="status" data-testid="copy-status">
          {copied}
        </p>
      )}
      {importError && (
        <p className="error" role="alert" data-testid="import-error">
          {importError}
        </p>
      )}
    </div>
  );
}
