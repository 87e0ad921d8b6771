import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, DeviceLostError, errorMessage, isCancelled, isDeviceLost } from './errors';

describe('errorMessage', () => {
  it('reads errors, strings, objects with a message and anything else', () => {
    expect(errorMessage(new TypeError('bad type'))).toBe('bad type');
    expect(errorMessage('plain text')).toBe('plain text');
    expect(errorMessage({ message: 'from an object' })).toBe('from an object');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
    expect(errorMessage(null)).toBe('null');
  });
});

describe('isCancelled and isDeviceLost', () => {
  it('tell the named errors apart', () => {
    expect(isCancelled(new CancelledError())).toBe(true);
    expect(isDeviceLost(new CancelledError())).toBe(false);
    expect(isDeviceLost(new DeviceLostError('lost'))).toBe(true);
    expect(isCancelled(new DeviceLostError('lost'))).toBe(false);
  });

  it('go by the name, not the words of the message', () => {
    expect(isCancelled(new Error('cancelled'))).toBe(false);
    expect(isCancelled(new Error('another run is in progress; cancel it first'))).toBe(false);
    expect(isDeviceLost(new Error('The GPU device was lost during the run'))).toBe(false);
    expect(isCancelled({ name: 'CancelledError', message: 'x' })).toBe(true);
    expect(isCancelled(undefined)).toBe(false);
    expect(isCancelled('CancelledError')).toBe(false);
  });
});

describe('across a Comlink boundary', () => {
  const channels: MessageChannel[] = [];
  afterEach(() => {
    for (const c of channels.splice(0)) {
      c.port1.close();
      c.port2.close();
    }
  });

  /** Exposes `api` on one end of a message channel and returns the remote proxy from the other. */
  function remote<T extends object>(api: T): Comlink.Remote<T> {
    const channel = new MessageChannel();
    channels.push(channel);
    Comlink.expose(api, channel.port1);
    return Comlink.wrap<T>(channel.port2);
  }

  it('keeps the name and message, so the predicates still work on the page', async () => {
    const api = remote({
      cancelled: async (): Promise<void> => {
        throw new CancelledError();
      },
      lost: async (): Promise<void> => {
        throw new DeviceLostError('The GPU device was lost during the run (Device was lost).');
      },
      plain: async (): Promise<void> => {
        throw new Error('no dataset is loaded yet');
      },
    });
    const cancelled = await api.cancelled().catch((e: unknown) => e);
    expect(cancelled).not.toBeInstanceOf(CancelledError); // the class does not cross, only the name
    expect(isCancelled(cancelled)).toBe(true);
    expect(errorMessage(cancelled)).toBe('cancelled');

    const lost = await api.lost().catch((e: unknown) => e);
    expect(isDeviceLost(lost)).toBe(true);
    expect(isCancelled(lost)).toBe(false);
    expect(errorMessage(lost)).toBe('The GPU device was lost during the run (Device was lost).');

    const plain = await api.plain().catch((e: unknown) => e);
    expect(isCancelled(plain) || isDeviceLost(plain)).toBe(false);
    expect(errorMessage(plain)).toBe('no dataset is loaded yet');
  });
});
