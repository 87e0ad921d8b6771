/** Correlations and the least-squares slope of paired values (attribution skill, tests of estimators). */

function checkPairs(x: ArrayLike<number>, y: ArrayLike<number>): void {
  if (x.length !== y.length) throw new Error(`correlation needs equal lengths, got ${x.length} and ${y.length}`);
}

/** Sums of centred cross-products and squares: Σ(x − x̄)(y − ȳ), Σ(x − x̄)², Σ(y − ȳ)². */
function centredMoments(x: ArrayLike<number>, y: ArrayLike<number>): { sxy: number; sxx: number; syy: number } {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return { sxy, sxx, syy };
}

/** Pearson correlation; NaN for fewer than two points or a constant side. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPairs(x, y);
  if (x.length < 2) return Number.NaN;
  const { sxy, sxx, syy } = centredMoments(x, y);
  if (sxx === 0 || syy === 0) return Number.NaN;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** OLS slope of y on x: cov(x, y) / var(x); NaN for fewer than two points or a constant x. */
export function olsSlope(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPairs(x, y);
  if (x.length < 2) return Number.NaN;
  const { sxy, sxx } = centredMoments(x, y);
  return sxx > 0 ? sxy / sxx : Number.NaN;
}

/** Spearman rank correlation (Pearson on ranks, ties given their average rank); NaN like `pearson`. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPairs(x, y);
  return pearson(ranks(x), ranks(y));
}

function ranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    const rank = (start + end - 1) / 2 + 1;
    for (let t = start; t < end; t++) out[order[t]] = rank;
    start = end;
  }
  return out;
}
