import type { JobHandle } from '../hooks/useEngineJob';

/** Pause, Resume and Cancel for the engine job a panel started. */
export function JobControls({ job }: { job: JobHandle }) {
  return (
    <>
      <button type="button" onClick={job.pause} disabled={job.state !== 'running'}>
        Pause
      </button>
      <button type="button" onClick={job.resume} disabled={job.state !== 'paused'}>
        Resume
      </button>
      <button type="button" onClick={job.cancel} disabled={job.state !== 'running' && job.state !== 'paused'}>
        Cancel
      </button>
    </>
  );
}
