// The code every worker runs, as source text so it needs no file of its own (Node evaluates it
// with `eval: true`, browsers load it from a Blob URL). It instantiates the module over the shared
// memory and parks in worker_loop; a trap in its chunk is flagged in the control block (the
// caller rethrows it as an error naming the kernel), the chunk counted completed and the worker
// no longer active (what take_chunks would have done), and the worker re-enters the loop. It
// returns when JS bumps its incarnation (stopped or replaced by a new worker with its id).
import { CTRL, word } from './layout.js';

export const WORKER_SOURCE = `
const COMPLETED_WORD = ${word(CTRL.CTRL_COMPLETED)}, ERROR_WORD = ${word(CTRL.CTRL_ERROR)}, ACTIVE_WORD = ${word(CTRL.CTRL_ACTIVE)};
function start(init, post) {
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory, now: () => performance.now() } });
  const words = new Int32Array(init.memory.buffer, init.ctrl, 16);
  instance.exports.worker_enter(init.ctrl, init.id);
  post('ready');
  for (;;) {
    try {
      instance.exports.worker_loop(init.ctrl, init.id, init.incarnation);
      return;
    } catch (error) {
      Atomics.store(words, ERROR_WORD, 1);
      Atomics.add(words, COMPLETED_WORD, 1);
      Atomics.notify(words, COMPLETED_WORD);
      Atomics.sub(words, ACTIVE_WORD, 1);
      Atomics.notify(words, ACTIVE_WORD);
    }
  }
}
if (typeof require === 'function') {
  const { parentPort, workerData } = require('node:worker_threads');
  try { start(workerData, (m) => parentPort.postMessage(m)); } catch (error) { parentPort.postMessage(String(error)); }
} else {
  self.onmessage = (event) => {
    try { start(event.data, (m) => self.postMessage(m)); } catch (error) { self.postMessage(String(error)); }
  };
}
`;
