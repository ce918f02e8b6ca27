// Reading a .npy file from disk (Node only).
import { nodeFileStorage } from '../io/node-storage.js';
import { parseNpy, type NpyArray } from './npy.js';

export async function readNpyFile(path: string): Promise<NpyArray> {
  return parseNpy(await nodeFileStorage.read(path), path);
}
