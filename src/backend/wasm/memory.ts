// The wasm backend's linear memory: one WebAssembly.Memory (shared when threads are on), a small
// first-fit allocator for everything the backend keeps there (parameters, gradients, optimizer
// state, workspaces, bound data, the thread control block), and fresh typed views.
//
// Addresses stay valid when the memory grows; typed views do not (a grown ArrayBuffer is a new
// object, and views of the old one are detached or too short), so callers ask for views after
// every call that may allocate.
import { MlpxError } from '../../util/errors.js';

export const PAGE_BYTES = 65536;
/** 2 GiB: pointers travel as i32. Must match MAXIMUM_PAGES in assembly/build.mjs. */
export const MAXIMUM_PAGES = 32768;
const ALIGN = 16;

interface Block { readonly offset: number; readonly size: number }

export class LinearMemory {
  readonly memory: WebAssembly.Memory;
  /** free blocks below `top`, sorted by offset, never adjacent (merged on free) */
  readonly #free: Block[] = [];
  readonly #sizes = new Map<number, number>();
  /** end of the highest block in use */
  #top: number;

  /** `base`: first address the allocator may use (above the module's data segments). */
  constructor(shared: boolean, base: number) {
    this.#top = alignUp(base);
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(this.#top / PAGE_BYTES) + 1, maximum: MAXIMUM_PAGES, shared });
  }

  get buffer(): ArrayBufferLike { return this.memory.buffer; }

  /** Current size of the linear memory in bytes (tests: it must not grow across epochs). */
  get byteLength(): number { return this.memory.buffer.byteLength; }

  /** Bytes in allocated blocks (tests: freed blocks are reused, disposed engines give theirs back). */
  get bytesInUse(): number {
    let total = 0;
    for (const size of this.#sizes.values()) total += size;
    return total;
  }

  /** A 16-byte-aligned block of at least `bytes` bytes (zeroed). */
  alloc(bytes: number): number {
    const size = alignUp(Math.max(bytes, ALIGN));
    const index = this.#free.findIndex((b) => b.size >= size);
    let offset: number;
    if (index >= 0) {
      const block = this.#free[index]!;
      offset = block.offset;
      if (block.size === size) this.#free.splice(index, 1);
      else this.#free[index] = { offset: offset + size, size: block.size - size };
    } else {
      offset = this.#top;
      this.#ensure(offset + size);
      this.#top = offset + size;
    }
    this.#sizes.set(offset, size);
    new Uint8Array(this.memory.buffer, offset, size).fill(0);
    return offset;
  }

  free(offset: number): void {
    const size = this.#sizes.get(offset);
    if (size === undefined) throw new MlpxError(`wasm backend: free of unknown block ${offset}`);
    this.#sizes.delete(offset);
    let block: Block = { offset, size };
    let at = this.#free.findIndex((b) => b.offset > offset);
    if (at < 0) at = this.#free.length;
    const next = this.#free[at];
    if (next !== undefined && block.offset + block.size === next.offset) {
      block = { offset, size: size + next.size };
      this.#free.splice(at, 1);
    }
    const prev = this.#free[at - 1];
    if (prev !== undefined && prev.offset + prev.size === block.offset) {
      block = { offset: prev.offset, size: prev.size + block.size };
      this.#free.splice(at - 1, 1);
      at--;
    }
    if (block.offset + block.size === this.#top) this.#top = block.offset; // give back the tail
    else this.#free.splice(at, 0, block);
  }

  #ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE_BYTES);
    const maxBytes = MAXIMUM_PAGES * PAGE_BYTES;
    if (end > maxBytes) {
      throw new MlpxError(`wasm backend: out of memory: needs ${end} bytes of linear memory, more than its ${maxBytes}-byte (2 GiB) maximum`);
    }
    try {
      this.memory.grow(pages);
    } catch (error) {
      throw new MlpxError(`wasm backend: could not grow linear memory to ${end} bytes (${(error as Error).message})`);
    }
  }

  f32(offset: number, count: number): Float32Array { return new Float32Array(this.memory.buffer, offset, count); }
  f64(offset: number, count: number): Float64Array { return new Float64Array(this.memory.buffer, offset, count); }
  i32(offset: number, count: number): Int32Array { return new Int32Array(this.memory.buffer, offset, count); }
  u32(offset: number, count: number): Uint32Array { return new Uint32Array(this.memory.buffer, offset, count); }
}

function alignUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
