/**
 * Saving a chart as SVG or PNG: every chart surface inside a figure is copied into one standalone SVG
 * (at its on-screen position), with the figure's title, legend and scale note drawn in, on white.
 */
export interface LegendItem {
  label: string;
  colour: string;
  dashed?: boolean;
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/** The standalone SVG text of the charts inside `body`. */
export function figureSvg(body: HTMLElement, meta: { title: string; legend: LegendItem[]; note?: string }): { markup: string; width: number; height: number } {
  const origin = body.getBoundingClientRect();
  const surfaces = Array.from(body.querySelectorAll<SVGSVGElement>('.recharts-wrapper > svg'));
  const top = 48 + (meta.legend.length > 0 ? 20 : 0);
  const width = Math.max(320, Math.ceil(origin.width));
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
  // Small-multiple titles and other HTML labels next to the surfaces.
  const labels = Array.from(body.querySelectorAll<HTMLElement>('[data-export-label]')).map((el) => {
    const r = el.getBoundingClientRect();
    return `<text x="${Math.round(r.left - origin.left)}" y="${Math.round(r.bottom - origin.top + top - 4)}" font-size="12" font-weight="600">${escapeXml(el.textContent ?? '')}</text>`;
  });
  let x = 8;
  const legend = meta.legend.map((item) => {
    const swatch = item.dashed
      ? `<line x1="${x}" y1="58" x2="${x + 16}" y2="58" stroke="${item.colour}" stroke-width="2" stroke-dasharray="4 2"/>`
      : `<rect x="${x}" y="52" width="16" height="12" fill="${item.colour}"/>`;
    const text = `<text x="${x + 20}" y="62" font-size="12">${escapeXml(item.label)}</text>`;
    x += 28 + item.label.length * 6.5;
    return swatch + text;
  });
  const height = Math.ceil(top + chartsHeight + (meta.note ? 24 : 8));
  const note = meta.note ? `<text x="8" y="${height - 8}" font-size="11" fill="#444">${escapeXml(meta.note)}</text>` : '';
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
