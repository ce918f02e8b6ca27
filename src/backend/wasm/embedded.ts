// The modules' bytes from the copies embedded in the JavaScript (assembly/build.mjs writes them),
// so no bundler and no server has to know about .wasm files. Only the wasm backend imports this:
// the entry points load that lazily, so the base64 (210 KB) is fetched only when wasm is used.
import { WASM_BASE64 } from './binaries.generated.js';
import type { WasmFile } from './platform.js';

export function embeddedWasm(file: WasmFile): Uint8Array<ArrayBuffer> {
  const text = atob((WASM_BASE64 satisfies Record<WasmFile, string>)[file]);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
