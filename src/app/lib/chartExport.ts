/**
 * Saving a chart as SVG or PNG: every chart surface inside a figure is copied into one standalone SVG
 * (at its on-screen position), with the figure's title, legend and scale note drawn in, on white.
 */
export interface LegendItem {
  label: string;
  colour: string;
  dashed?: boolean;
  /** A marker shape (recharts symbol type) instead of a colour block. */
  shape?: 'circle' | 'cross' | 'diamond' | 'square' | 'star' | 'triangle' | 'wye';
}

const escapeXml = (s: string) =>
  s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/** Approximate width of text at 12 px in the page's sans-serif font. */
const CHAR_WIDTH = 6.6;

/** Greedy word wrap to a pixel width (approximate, for exported labels). */
export function wrapText(text: string, width: number, charWidth = CHAR_WIDTH): string[] {
  const max = Math.max(4, Math.floor(width / charWidth));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!line) line = word;
    else if (line.length + 1 + word.length <= max) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines.map((l) => (l.length > max ? `${l.slice(0, max - 1)}…` : l));
}

/** The standalone SVG text of the charts inside `body`. */
export function figureSvg(
  body: HTMLElement,
  meta: { title: string; legend: LegendItem[]; note?: string },
  /** The legend's marker drawings, by legend index (copied into the picture). */
  swatches: (SVGSVGElement | null)[] = [],
): { markup: string; width: number; height: number } {
  const origin = body.getBoundingClientRect();
  const width = Math.max(320, Math.ceil(origin.width));
  // Legend: swatches in rows that fit the width.
  const legend: string[] = [];
  let x = 8;
  let y = 52;
  meta.legend.forEach((item, i) => {
    const w = 28 + item.label.length * CHAR_WIDTH;
    if (x > 8 && x + w > width) {
      x = 8;
      y += 20;
    }
    const swatch = swatches[i];
    legend.push(
      (swatch
        ? `<svg x="${x}" y="${y - 1}" width="14" height="14" viewBox="0 0 14 14">${swatch.innerHTML}</svg>`
        : item.dashed
          ? `<line x1="${x}" y1="${y + 6}" x2="${x + 16}" y2="${y + 6}" stroke="${item.colour}" stroke-width="2" stroke-dasharray="4 2"/>`
          : `<rect x="${x}" y="${y}" width="16" height="12" fill="${item.colour}"/>`) +
        `<text x="${x + 20}" y="${y + 10}" font-size="12">${escapeXml(item.label)}</text>`,
    );
    x += w;
  });
  const top = meta.legend.length > 0 ? y + 24 : 44;
  const surfaces = Array.from(body.querySelectorAll<SVGSVGElement>('.recharts-wrapper > svg'));
  let chartsHeight = 0;
  const parts: string[] = [];
  for (const svg of surfaces) {
    const r = svg.getBoundingClientRect();
    const clone = svg.cloneNode(true) as SVGSVGElement;
    clone.setAttribute('x', String(Math.round(r.left - origin.left)));
    clone.setAttribute('y', String(Math.round(r.top - origin.top + top)));
    clone.setAttribute('width', String(Math.round(r.width)));
    clone.setAttribute('height', String(Math.round(r.height)));
    clone.removeAttribute('style');
    parts.push(new XMLSerializer().serializeToString(clone));
    chartsHeight = Math.max(chartsHeight, r.bottom - origin.top);
  }
  // Small-multiple titles and other HTML labels next to the surfaces, wrapped to their boxes.
  const labels = Array.from(body.querySelectorAll<HTMLElement>('[data-export-label]')).map((el) => {
    const r = el.getBoundingClientRect();
    const lines = wrapText(el.textContent ?? '', r.width);
    const lx = Math.round(r.left - origin.left);
    const bottom = Math.round(r.bottom - origin.top + top) - 4;
    return lines
      .map(
        (line, i) =>
          `<text x="${lx}" y="${bottom - (lines.length - 1 - i) * 14}" font-size="12" font-weight="600">${escapeXml(line)}</text>`,
      )
      .join('');
  });
  const noteLines = meta.note ? wrapText(meta.note, width - 16, 6) : [];
  const height = Math.ceil(top + chartsHeight + 8 + noteLines.length * 14);
  const note = noteLines
    .map(
      (line, i) => `<text x="8" y="${height - 6 - (noteLines.length - 1 - i) * 14}" font-size="11" fill="#444">${escapeXml(line)}</text>`,
    )
    .join('');
  const markup =
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">` +
    `<title>${escapeXml(meta.title)}</title><rect width="100%" height="100%" fill="#ffffff"/>` +
    `<text x="8" y="24" font-size="16" font-weight="600">${escapeXml(meta.title)}</text>` +
    legend.join('') +
    labels.join('') +
    parts.join('') +
    note +
    '</svg>';
  return { markup, width, height };
}

export function download(data: Blob | string, name: string, type = 'application/octet-stream'): void {
  const blob = typeof data === 'string' ? new Blob([data], { type }) : data;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Renders SVG text to a PNG at `scale` × its size. */
export function svgToPng(markup: string, width: number, height: number, scale = 2): Promise<Blob> {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml' }));
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      const ctx = canvas.getContext('2d')!;
      ctx.scale(scale, scale);
      ctx.drawImage(img, 0, 0, width, height);
      URL.revokeObjectURL(url);
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the PNG'))), 'image/png');
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error('the chart could not be drawn as an image'));
    };
    img.src = url;
  });
}
