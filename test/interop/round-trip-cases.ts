// The networks every export is checked on: each hidden activation × each output activation with
// its loss × 0, 1 and 2 hidden layers, trained two epochs on seeded data (offset from zero, so
// standardisation matters) so the weights are not just their initial values.
import { ACTIVATION_NAMES } from '../../src/nn/architecture.js';
import { Network, type ActivationName, type LossName } from '../../src/index.js';
import { Random } from '../../src/util/prng.js';

export interface RoundTripCase { hidden: ActivationName; output: ActivationName; loss: LossName; depth: number }

const HIDDEN = ACTIVATION_NAMES.filter((a) => a !== 'softmax');
const OUTPUTS: [ActivationName, LossName][] = [
  ['softmax', 'cross_entropy'], ['sigmoid', 'binary_cross_entropy'], ['linear', 'mse'], ['linear', 'sse'], ['tanh', 'half_sse'],
];

export const ROUND_TRIP_CASES: RoundTripCase[] = HIDDEN.flatMap((hidden) => OUTPUTS.flatMap(([output, loss]) => [0, 1, 2].map((depth) => ({ hidden, output, loss, depth }))));
export const INPUTS = 5;
export const ROWS = 33;

/** rows × columns uniform in [−2, 2) scaled by `scale`, column c shifted by offset · (c − 2) */
export function randomRows(rows: number, columns: number, seed: number, offset = 0, scale = 1): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: rows * columns }, (_, i) => offset * ((i % columns) - 2) + scale * random.uniform(-2, 2));
}

/** The case's network after two epochs on ROWS rows of x (returned too). */
export async function trainedNetwork({ hidden, output, loss, depth }: RoundTripCase, standardize: boolean): Promise<{ net: Network; x: Float32Array }> {
  const outputs = output === 'softmax' ? 4 : 3;
  const net = await Network.create({
    inputs: INPUTS, loss, seed: depth + 7, backend: 'js',
    layers: [...Array.from({ length: depth }, (_, i) => ({ units: 7 - i, activation: hidden })), { units: outputs, activation: output }],
  });
  const x = randomRows(ROWS, INPUTS, depth + 1, 3, 2);
  const y = output === 'softmax' ? new Int32Array(ROWS).map((_, i) => i % outputs) : randomRows(ROWS, outputs, 3).map((v) => (output === 'linear' ? v : Math.abs(v) / 2));
  await net.fit(x, y, { epochs: 2, batchSize: 8, standardize });
  return { net, x };
}
