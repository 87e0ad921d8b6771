export interface LinkNotice {
  kind: 'error' | 'opened' | 'migrated';
  message: string;
}

interface Props {
  notice: LinkNotice;
  /** Offered after a broken link when the experiment kept from the last visit differs from the one shown. */
  onRestore?: () => void;
  onDismiss: () => void;
}

/** What happened to the link the page was opened with. */
export function LinkNoticeBanner({ notice, onRestore, onDismiss }: Props) {
  const error = notice.kind === 'error';
  return (
    <div className={error ? 'error link-notice' : 'banner link-notice'} role={error ? 'alert' : 'status'} data-testid="link-notice">
      <p>{notice.message}</p>
      {error && (
        <p>
          Showing a working default experiment instead; your own setup was not changed.{' '}
          {onRestore && (
            <button type="button" className="small" onClick={onRestore}>
              Restore my last experiment
            </button>
          )}
        </p>
      )}
      <button type="button" className="small" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
