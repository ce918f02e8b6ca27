// Backends available under Node: native addon, WebAssembly, and the TypeScript reference.
import { registerBackend } from './backend/registry.js';
import { createJsBackend } from './backend/js/index.js';
import { nodeMemoryLimit } from './backend/node-memory.js';

registerBackend('js', () => createJsBackend(nodeMemoryLimit()));
registerBackend('native', () => import('./backend/native/index.js').then((m) => m.loadNativeBackend()));
registerBackend('wasm', () => import('./backend/wasm/node.js').then((m) => m.loadWasmBackend()));
