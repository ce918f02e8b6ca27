// mlpx for Node.js (the package's `node` export condition): every backend this platform can
// have, file save/load, and IDX, CSV and .npy files on disk.
import './backends.node.js';
import { registerFileStorage } from './nn/storage.js';
import { nodeFileStorage } from './io/node-storage.js';
import { registerCsvParser } from './data/csv.js';

registerFileStorage(nodeFileStorage);
registerCsvParser(() => import('csv-parse/sync').then((m) => m.parse as never));

export * from './api.js';
export { Network } from './nn/network.js';
export { gradientCheck } from './nn/gradcheck.js';
export { loadMnist, readIdxFile } from './data/idx-file.js';
export type { MnistData } from './data/idx-file.js';
export { readCsvFile } from './data/csv-file.js';
export { readNpyFile } from './data/npy-file.js';
