// Real MNIST for tests: MLPX_DATA (CI sets it to ../shared/data), else ../shared/data beside the
// repository. Tests that need it skip with a printed reason only when the folder is absent.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const MNIST_DIR = join(process.env.MLPX_DATA ?? resolve(import.meta.dirname, '../../../shared/data'), 'mnist');
export const HAVE_MNIST = existsSync(join(MNIST_DIR, 'train-images-idx3-ubyte.gz')) || existsSync(join(MNIST_DIR, 'train-images-idx3-ubyte'));
if (!HAVE_MNIST) console.warn(`[mnist] skipping real-MNIST tests: no MNIST files in ${MNIST_DIR} (set MLPX_DATA to the folder that holds mnist/)`);
