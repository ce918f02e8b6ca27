// The state rules every engine enforces: while trainEpoch runs, any other call throws a
// BusyError (it would change memory the epoch is using); after dispose(), a DisposedError.
import { BusyError, DisposedError } from '../util/errors.js';

export class EngineGuard {
  #running = false;
  #disposed = false;

  get disposed(): boolean { return this.#disposed; }

  /** Throws unless the engine is idle and not disposed; `call` names the refused call. */
  check(call: string): void {
    if (this.#disposed) throw new DisposedError(`${call}: this engine was disposed`);
    if (this.#running) throw new BusyError(`${call}: this engine is running trainEpoch(); wait for it to settle`);
  }

  /** Runs an epoch: other calls are refused until it settles. */
  async epoch<T>(run: () => Promise<T>): Promise<T> {
    this.check('trainEpoch');
    this.#running = true;
    try {
      return await run();
    } finally {
      this.#running = false;
    }
  }

  /** Marks the engine disposed; false if it already was, or throws while an epoch runs. */
  dispose(): boolean {
    if (this.#disposed) return false;
    this.check('dispose');
    this.#disposed = true;
    return true;
  }
}
