// Types of pool-tasks.js (plain JS so the Chromium page can load it as it is).
import type { WasmBackend } from '../../src/backend/wasm/backend.js';
import type { PoolTasks, TaskRounds } from '../results.js';

export function countPoolTasks(backend: WasmBackend): () => PoolTasks | undefined;
export function taskRounds(counts: readonly (PoolTasks | undefined)[]): { tasks?: TaskRounds };
