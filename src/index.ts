// mlpx for Node.js: every backend this platform can have, file save/load, and IDX, CSV and .npy
// files on disk.
import './backends.node.js';
import { registerFileStorage } from './nn/storage.js';
import { nodeFileStorage } from './io/node-storage.js';
import { registerCsvParser } from './data/csv.js';

registerFileStorage(nodeFileStorage);
registerCsvParser(() => import('csv-parse/sync').then((m) => m.parse as never));

export * from './api.js';
export { loadMnist, readIdxFile } from './data/idx-file.js';
export type { MnistData } from './data/idx-file.js';
export { readCsvFile } from './data/csv-file.js';
export { readNpyFile } from './data/npy-file.js';
