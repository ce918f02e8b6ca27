// The memory limit of the backends that allocate from the process heap under Node (native, js).
import { totalmem } from 'node:os';
import type { MemoryLimit } from './js/index.js';

export function nodeMemoryLimit(): MemoryLimit {
  const total = totalmem();
  return { memoryLimit: Math.floor(total / 2), memoryLimitReason: `half of this machine's ${(total / 2 ** 30).toFixed(1)} GiB of physical memory` };
}
