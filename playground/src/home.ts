// The start page: links to the three pages, and the backend readout (mlpx loaded here too, so
// the page says up front whether it trains with worker threads).
import './shared/style.css';
import { backendInfo } from 'mlpx';
import { showBackend, showError } from './shared/page.js';

const wasm = (await backendInfo()).find((status) => status.name === 'wasm');
if (wasm?.available && wasm.details) {
  showBackend({ name: 'wasm', kernelPath: wasm.details.kernelPath, threads: wasm.details.threads, notes: [...wasm.details.notes], isolated: crossOriginIsolated });
} else {
  showError(`mlpx's WebAssembly backend does not load in this browser: ${wasm?.reason ?? 'unknown reason'}. The pages fall back to the much slower js backend.`);
}
