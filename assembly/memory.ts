// Where the JS memory manager may start placing working data: above this module's data segments,
// which every instance (caller and workers) rewrites when it starts.

/** First byte after the static data (16-byte aligned by the compiler). */
export function data_end(): usize {
  return __heap_base;
}
