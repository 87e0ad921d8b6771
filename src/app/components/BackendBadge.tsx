import type { BackendChoice } from '../../worker/protocol';

/** Which tfjs backend runs, and why; a banner when WebGPU is not used. `compact` (a lesson): the first line only. */
export function BackendBadge({ choice, error, compact = false }: { choice?: BackendChoice; error?: string; compact?: boolean }) {
  if (error) {
    return (
      <p className="error" role="alert" data-testid="engine-error">
        {error}
      </p>
    );
  }
  if (!choice) return <p className="backend">Starting the engine and measuring backends…</p>;
  const webgpu = choice.probes.find((p) => p.name === 'webgpu');
  return (
    <div className="backend">
      <p>
        Backend: <strong data-testid="backend-name">{choice.name}</strong> — {choice.reason}.
      </p>
      {choice.pool && !compact && (
        <p data-testid="pool-size">
          Experiments: <strong>{choice.pool.size}</strong>{' '}
          {choice.pool.reason.replace(/^\d+ workers?: /, choice.pool.size === 1 ? 'worker — ' : 'workers — ')}.
        </p>
      )}
      {choice.name !== 'webgpu' && webgpu && !compact && (
        <p className="banner" role="note">
          Not using WebGPU: {webgpu.available ? webgpu.note : webgpu.note}. Everything works on {choice.name}, just slower than on a real
          GPU.
        </p>
      )}
    </div>
  );
}
