// The split tasks of a wasm backend during a timing, in the Chromium page and in Node
// (bench/peers/mlpx.ts): those posted to the pool's workers and those it kept on the calling
// thread after a worker stalled (the backend's runtime: its pool and the module's exports).
// Plain JS, so that the page can load it as it is.

/**
 * Starts counting on `backend` (a wasm backend); the function returned reads the tasks since
 * (undefined without a pool). The posted count is a raw difference of a wrapping counter:
 * wasmTasksPosted (bench/results.ts) turns it into tasks.
 */
export function countPoolTasks(backend) {
  const { pool, exports } = backend.runtime;
  if (pool === undefined) return () => undefined;
  const posted = pool.tasksPosted, backedOff = exports.backed_off_tasks();
  return () => ({ posted: pool.tasksPosted - posted, backedOff: exports.backed_off_tasks() - backedOff });
}

/** Each timing's counts as { tasks: { posted: [...], backedOff: [...] } }, or {} when any is missing. */
export function taskRounds(counts) {
  if (counts.some((c) => c === undefined)) return {};
  return { tasks: { posted: counts.map((c) => c.posted), backedOff: counts.map((c) => c.backedOff) } };
}
