// The split tasks of a network's wasm backend during a timing, as bench/peers/mlpx.ts counts them
// in Node: those posted to the pool's workers and those it kept on the calling thread after a
// worker stalled (the backend's runtime: its pool and the module's exports).

/**
 * Starts counting; the function returned reads the tasks since (undefined without a pool). The
 * posted count is a raw difference: section.ts takes it modulo the counter's wrap.
 */
export function countPoolTasks(network) {
  const { pool, exports } = network.backend.runtime;
  if (pool === undefined) return () => undefined;
  const posted = pool.tasksPosted, backedOff = exports.backed_off_tasks();
  return () => ({ posted: pool.tasksPosted - posted, backedOff: exports.backed_off_tasks() - backedOff });
}

/** Each timing's counts as { tasks: { posted: [...], backedOff: [...] } }, or {} when any is missing. */
export function taskRounds(counts) {
  if (counts.some((c) => c === undefined)) return {};
  return { tasks: { posted: counts.map((c) => c.posted), backedOff: counts.map((c) => c.backedOff) } };
}
