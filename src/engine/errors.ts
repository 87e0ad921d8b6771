/**
 * Errors that cross the worker boundary by name. Comlink rebuilds a thrown Error on the page as a plain
 * Error with the original `name` and `message`, so the class is lost but the name survives: callers on
 * either side tell errors apart with the predicates below, never by matching the message text.
 * Light module (no tfjs): the page imports it through worker/protocol.ts.
 */

/** Thrown out of a run when the user cancels it. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

/** A run stopped because the GPU device was lost; the backend was restarted (or could not be) and the message says which. */
export class DeviceLostError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeviceLostError';
  }
}

function hasName(e: unknown, name: string): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === name;
}

export const isCancelled = (e: unknown): boolean => hasName(e, 'CancelledError');
export const isDeviceLost = (e: unknown): boolean => hasName(e, 'DeviceLostError');

/** The text of anything thrown: an Error's message, a string as is, an object's `message`, else its string form. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}
