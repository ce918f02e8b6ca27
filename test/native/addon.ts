// Loads the native addon for the native-only tests. If it is not built they are skipped with the
// reason printed, unless MLPX_REQUIRE_NATIVE=1 (CI), where a missing addon fails them.
import { registerErrorClasses } from '../../src/backend/native/engine.js';
import { loadAddon, type NativeAddon } from '../../src/backend/native/load.js';

function tryLoad(): NativeAddon | undefined {
  try {
    return registerErrorClasses(loadAddon());
  } catch (error) {
    if (process.env['MLPX_REQUIRE_NATIVE'] === '1') throw error;
    console.warn(`[native] tests skipped: ${(error as Error).message}`);
    return undefined;
  }
}

export const addon = tryLoad();
