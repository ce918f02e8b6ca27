// Calls from a page into its training worker and events back. A page's worker owns the mlpx
// networks; the page only draws. Requests are { id, method, arg }; the worker answers
// { id, result } or { id, error, name } and sends { event } messages on its own.

/** A worker's methods: each takes one structured-cloneable argument. */
export type Api = Record<string, (arg: never) => unknown>;

type Reply = { id: number; result: unknown } | { id: number; error: string; name: string };

/** The page's end: call(method, arg) resolves to the method's result or rejects with its error. */
export class WorkerLink<A extends Api, E> {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #next = 1;

  constructor(worker: Worker, onEvent: (event: E) => void, onCrash: (message: string) => void) {
    this.#worker = worker;
    worker.onmessage = (message: MessageEvent<Reply | { event: E }>) => {
      const data = message.data;
      if ('event' in data) {
        onEvent(data.event);
        return;
      }
      const waiting = this.#pending.get(data.id);
      this.#pending.delete(data.id);
      if (waiting === undefined) return;
      if ('error' in data) waiting.reject(Object.assign(new Error(data.error), { name: data.name }));
      else waiting.resolve(data.result);
    };
    worker.onerror = (event) => onCrash(event.message || 'the training worker failed to start');
  }

  call<K extends keyof A & string>(method: K, ...[arg, transfer]: Parameters<A[K]> extends [] ? [] : [Parameters<A[K]>[0], Transferable[]?]): Promise<Awaited<ReturnType<A[K]>>> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#worker.postMessage({ id, method, arg }, transfer ?? []);
    });
  }
}

/**
 * The worker's end: serve `api`, one call at a time in the order they came (a call that awaits
 * finishes before the next starts); returns emit(event, transfer) for events to the page.
 */
export function serveApi<E>(api: Api): (event: E, transfer?: Transferable[]) => void {
  const scope = self as unknown as DedicatedWorkerGlobalScope;
  let queue = Promise.resolve();
  const answer = async ({ id, method, arg }: { id: number; method: string; arg: never }) => {
    try {
      const handler = api[method];
      if (handler === undefined) throw new Error(`the worker has no method ${method}`);
      scope.postMessage({ id, result: await handler(arg) });
    } catch (error) {
      const { message: text, name } = error instanceof Error ? error : { message: String(error), name: 'Error' };
      scope.postMessage({ id, error: text, name });
    }
  };
  scope.onmessage = (message: MessageEvent<{ id: number; method: string; arg: never }>) => {
    queue = queue.then(() => answer(message.data));
  };
  return (event, transfer = []) => scope.postMessage({ event }, transfer);
}
