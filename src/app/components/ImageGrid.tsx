import { useEffect, useRef } from 'react';

const SIZE = 32;

/** Draws one NHWC uint8 image onto a 32×32 canvas (scaled up with CSS, pixelated). */
function Thumb({ pixels, title }: { pixels: Uint8Array; title: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const data = ctx.createImageData(SIZE, SIZE);
    for (let i = 0; i < SIZE * SIZE; i++) {
      data.data[i * 4] = pixels[i * 3];
      data.data[i * 4 + 1] = pixels[i * 3 + 1];
      data.data[i * 4 + 2] = pixels[i * 3 + 2];
      data.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(data, 0, 0);
  }, [pixels]);
  return <canvas ref={ref} width={SIZE} height={SIZE} className="thumb" role="img" aria-label={title} />;
}

export interface GridImage {
  /** Index in the training split. */
  index: number;
  label: number;
  pixels: Uint8Array;
}

export function ImageGrid({ images, classNames }: { images: GridImage[]; classNames: string[] }) {
  return (
    <ul className="image-grid" aria-label="Dataset images">
      {images.map((img) => (
        <li key={img.index} className="image-cell">
          <Thumb pixels={img.pixels} title={`#${img.index}: ${classNames[img.label]}`} />
          <span className="image-label">{classNames[img.label]}</span>
        </li>
      ))}
    </ul>
  );
}
