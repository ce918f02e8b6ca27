// Types for native/build.mjs, so the CLI (`mlpx build-native`) can import buildNative from TS.
export interface BuildNativeOptions {
  /** build directory (default: <package>/build, giving build/Release/mlpx.node) */
  out?: string;
  /** ASan + UBSan build (native/asan.sh) */
  sanitize?: boolean;
  debug?: boolean;
  /** per-phase timing of the training step (native/profile.h), for the benchmark */
  profile?: boolean;
  /** throw instead of printing the fallback line when the build fails (default: MLPX_REQUIRE_NATIVE=1) */
  require?: boolean;
  log?: (line: string) => void;
}

export interface BuildNativeResult {
  ok: boolean;
  /** why it was not built */
  reason?: string;
}

export function buildNative(options?: BuildNativeOptions): BuildNativeResult;
