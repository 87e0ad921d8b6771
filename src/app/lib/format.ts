/** Number formatting shared by every view: a dash for missing values, never "NaN". */
export function fmt(x: number | undefined | null, digits = 2): string {
  return x === undefined || x === null || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

export function pct(x: number | undefined | null, digits = 1): string {
  return x === undefined || x === null || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)} %`;
}

export function seconds(s: number | undefined | null): string {
  if (s === undefined || s === null || !Number.isFinite(s)) return '—';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export function count(n: number): string {
  return n.toLocaleString('en');
}

/** Bytes in decimal units: "812 B", "12.3 MB", "1.2 GB". */
export function bytes(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '—';
  if (n < 1000) return `${Math.max(0, Math.round(n))} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n / 1000;
  let unit = 0;
  while (value >= 999.95 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 100 ? 1 : 0)} ${units[unit]}`;
}
