// A canvas to draw a digit on (mouse, pen or touch, through pointer events) and its conversion
// to what the network takes, the way MNIST's digits were made: the ink's bounding box scaled to
// fit 20 × 20 pixels (area-averaged), placed in 28 × 28 with its centre of mass in the middle.
const SIDE = 28;
const BOX = 20;

export class DrawPad {
  readonly #canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  #last: { x: number; y: number } | null = null;
  /** a test image being shown: the input is exactly its pixels until the user draws */
  #shown: Float32Array | null = null;

  constructor(canvas: HTMLCanvasElement, private readonly onChange: () => void) {
    this.#canvas = canvas;
    this.#ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    this.clear();
    canvas.addEventListener('pointerdown', (event) => {
      canvas.setPointerCapture(event.pointerId);
      if (this.#shown !== null) this.clear();
      this.#last = this.#point(event);
      this.#stroke(this.#last, this.#last);
    });
    canvas.addEventListener('pointermove', (event) => {
      if (this.#last === null) return;
      const point = this.#point(event);
      this.#stroke(this.#last, point);
      this.#last = point;
    });
    const end = () => { this.#last = null; };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  clear(): void {
    this.#shown = null;
    this.#ctx.fillStyle = '#000';
    this.#ctx.fillRect(0, 0, this.#canvas.width, this.#canvas.height);
    this.onChange();
  }

  /** Show a 28 × 28 image (pixels in [0, 1]) enlarged; the network's input is then that image. */
  show(pixels: Float32Array): void {
    const image = new ImageData(SIDE, SIDE);
    for (let i = 0; i < SIDE * SIDE; i++) {
      const v = Math.round(pixels[i]! * 255);
      image.data.set([v, v, v, 255], 4 * i);
    }
    const small = Object.assign(document.createElement('canvas'), { width: SIDE, height: SIDE });
    small.getContext('2d')!.putImageData(image, 0, 0);
    this.#ctx.imageSmoothingEnabled = false;
    this.#ctx.drawImage(small, 0, 0, this.#canvas.width, this.#canvas.height);
    this.#shown = pixels.slice();
    this.onChange();
  }

  /** The 784 inputs for what is on the pad, or null when it is empty. */
  input(): Float32Array | null {
    if (this.#shown !== null) return this.#shown;
    const { width, height } = this.#canvas;
    const rgba = this.#ctx.getImageData(0, 0, width, height).data;
    const ink = new Float32Array(width * height);
    let left = width, right = -1, top = height, bottom = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = rgba[4 * (y * width + x)]! / 255;
        ink[y * width + x] = v;
        if (v > 0.05) {
          left = Math.min(left, x); right = Math.max(right, x);
          top = Math.min(top, y); bottom = Math.max(bottom, y);
        }
      }
    }
    if (right < 0) return null;
    // the bounding box, made square around its centre, area-averaged into BOX × BOX cells
    const side = Math.max(right - left + 1, bottom - top + 1);
    const x0 = (left + right + 1) / 2 - side / 2;
    const y0 = (top + bottom + 1) / 2 - side / 2;
    const sums = new Float32Array(BOX * BOX);
    const counts = new Float32Array(BOX * BOX);
    for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, y0 + side); y++) {
      const cy = Math.min(BOX - 1, Math.floor(((y - y0) / side) * BOX));
      if (cy < 0) continue;
      for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, x0 + side); x++) {
        const cx = Math.min(BOX - 1, Math.floor(((x - x0) / side) * BOX));
        if (cx < 0) continue;
        sums[cy * BOX + cx]! += ink[y * width + x]!;
        counts[cy * BOX + cx]!++;
      }
    }
    // centre of mass of the box, moved to the middle of the 28 × 28 image
    let mass = 0, mx = 0, my = 0;
    for (let i = 0; i < BOX * BOX; i++) {
      const v = counts[i]! > 0 ? sums[i]! / counts[i]! : 0;
      sums[i] = v;
      mass += v; mx += v * (i % BOX); my += v * Math.floor(i / BOX);
    }
    const shiftX = Math.round(SIDE / 2 - 0.5 - mx / mass);
    const shiftY = Math.round(SIDE / 2 - 0.5 - my / mass);
    const out = new Float32Array(SIDE * SIDE);
    for (let i = 0; i < BOX * BOX; i++) {
      const x = (i % BOX) + shiftX;
      const y = Math.floor(i / BOX) + shiftY;
      if (x >= 0 && x < SIDE && y >= 0 && y < SIDE) out[y * SIDE + x] = Math.min(1, sums[i]!);
    }
    return out;
  }

  #point(event: PointerEvent): { x: number; y: number } {
    const rect = this.#canvas.getBoundingClientRect();
    return { x: ((event.clientX - rect.left) / rect.width) * this.#canvas.width, y: ((event.clientY - rect.top) / rect.height) * this.#canvas.height };
  }

  #stroke(from: { x: number; y: number }, to: { x: number; y: number }): void {
    const ctx = this.#ctx;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = this.#canvas.width / 12;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
    this.onChange();
  }
}
