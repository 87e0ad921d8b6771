/**
 * Seeded pseudo-random numbers. Everything random in the engine (initialisation, data order,
 * augmentation, subsets, forget-set generators) draws from here, so the same seed gives the same
 * numbers on every backend and machine.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counter), seeded through splitmix32 so that
 * nearby seeds give unrelated streams. Passes PractRand to 2^42 bytes; more than enough here.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** A new generator whose stream depends on this one's seed and `label` only (not on how much was drawn). */
  fork(label: string | number): Rng;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over a string, used to turn fork labels into seeds. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
  const baseSeed = Math.trunc(seed) >>> 0;
  const init = splitmix32(baseSeed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  let spareNormal: number | undefined;

  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  // Discard the first outputs: sfc32 mixes its state in a few rounds.
  for (let i = 0; i < 12; i++) nextUint32();

  const rng: Rng = {
    nextUint32,
    next: () => nextUint32() / 4294967296,
    int: (n: number) => {
      if (!(n > 0)) throw new Error(`int(n) needs n > 0, got ${n}`);
      return Math.floor((nextUint32() / 4294967296) * n);
    },
    normal: () => {
      if (spareNormal !== undefined) {
        const v = spareNormal;
        spareNormal = undefined;
        return v;
      }
      let u = 0;
      while (u === 0) u = rng.next();
      const v = rng.next();
      const r = Math.sqrt(-2 * Math.log(u));
      spareNormal = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    fork: (label: string | number) => createRng((baseSeed ^ hashString(String(label)) ^ 0x5bd1e995) >>> 0),
  };
  return rng;
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(array: T, rng: Rng): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}

/** A random permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return shuffleInPlace(out, rng);
}
