/**
 * Recognises a lost GPU device or graphics context in an error thrown by a run, so the worker can
 * restart the backend and tell the page to run again (the model cache keeps every finished model).
 */
import { errorMessage } from '../engine/errors';

const DEVICE_LOSS = /device (?:was |is |has been )?lost|DEVICE_LOST|context (?:was |is |has been )?lost|CONTEXT_LOST|GPUDevice/i;

// The name counts too: browsers report some losses only there (a DOMException named after the GPU device).
const errorText = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : errorMessage(error));

/** Whether `error` (or an error in its `cause` chain) says the GPU device or context was lost. */
export function isDeviceLoss(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    if (DEVICE_LOSS.test(errorText(current))) return true;
    current = current instanceof Error ? current.cause : undefined;
  }
  return false;
}

/**
 * The message the page shows after a device loss: the backend was restarted on `restartedOn`, or
 * restarting failed with `restartError`.
 */
export function deviceLossMessage(error: unknown, restartedOn: string | undefined, restartError?: unknown): string {
  const original = errorMessage(error);
  const lost = `The GPU device was lost during the run (${original}).`;
  if (restartedOn === undefined) {
    const why = errorMessage(restartError);
    return `${lost} Restarting the backend failed too (${why}); reload the page, and Run again resumes from the cache, which holds every model finished before the loss.`;
  }
  return `${lost} The backend was restarted on ${restartedOn}; every model finished before the loss is in the cache, so Run again resumes from there.`;
}
