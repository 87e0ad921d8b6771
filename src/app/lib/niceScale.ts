/** Round axis ends and evenly spaced ticks at 1, 2, 2.5 or 5 × a power of ten. */
export function niceStep(span: number, count = 4): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = [1, 2, 2.5, 5, 10].find((m) => m * power >= raw - 1e-12)!;
  return unit * power;
}

/** A domain covering [lo, hi] with round ends, and its ticks. */
export function niceDomain(lo: number, hi: number, count = 4, integer = false): { domain: [number, number]; ticks: number[] } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { domain: [0, 1], ticks: [0, 0.5, 1] };
  if (hi <= lo) hi = lo + 1;
  const step = integer ? Math.max(1, Math.ceil(niceStep(hi - lo, count))) : niceStep(hi - lo, count);
  const start = Math.floor(lo / step + 1e-9) * step;
  const end = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = start; t <= end + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { domain: [ticks[0], ticks[ticks.length - 1]], ticks };
}
