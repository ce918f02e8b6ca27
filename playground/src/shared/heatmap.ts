// Values on a square grid painted into a canvas rectangle: one pixel per grid cell in a small
// image, scaled up smoothly, so a 50 × 50 map costs 2,500 colour lookups per frame.

export type ColorScale = (value: number, out: Uint8ClampedArray, at: number) => void;

const scratch = new Map<string, { canvas: HTMLCanvasElement; image: ImageData }>();

function scratchImage(width: number, height: number) {
  const key = `${width}x${height}`;
  let entry = scratch.get(key);
  if (entry === undefined) {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    entry = { canvas, image: new ImageData(width, height) };
    scratch.set(key, entry);
  }
  return entry;
}

/**
 * Paint `width × height` values (row-major, row 0 at the top) read as values[offset + i·stride],
 * each through `scale(transform(v))`, into (x, y, w, h) of `ctx`.
 */
export function paintGrid(
  ctx: CanvasRenderingContext2D, values: ArrayLike<number>, grid: { width: number; height: number; offset?: number; stride?: number },
  rect: { x: number; y: number; w: number; h: number }, scale: ColorScale, transform: (v: number) => number = (v) => v, smooth = true,
): void {
  const { width, height, offset = 0, stride = 1 } = grid;
  const { canvas, image } = scratchImage(width, height);
  const pixels = image.data;
  for (let i = 0; i < width * height; i++) scale(transform(values[offset + i * stride]!), pixels, 4 * i);
  canvas.getContext('2d')!.putImageData(image, 0, 0);
  ctx.save();
  ctx.imageSmoothingEnabled = smooth;
  ctx.drawImage(canvas, rect.x, rect.y, rect.w, rect.h);
  ctx.restore();
}

/** Size a canvas's backing store to its CSS size × devicePixelRatio; returns the CSS size. */
export function fitCanvas(canvas: HTMLCanvasElement): { width: number; height: number } {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  canvas.getContext('2d')!.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { width, height };
}
