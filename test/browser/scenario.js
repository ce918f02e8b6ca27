// The training the Chromium test runs in the page and again in Node, with the same seeds, so
// their final weights can be compared. Plain JS: the page loads it as is. `mlpx` is the module
// (dist/browser.js in the page, src/index.ts in Node); `digits` is { train: { x, labels }, test }.

/** XOR on a 2-8-1 tanh/sigmoid network. */
async function xor(mlpx, threads) {
  const data = mlpx.xorData();
  const net = await mlpx.Network.create({
    inputs: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }],
    loss: 'binary_cross_entropy', seed: 3, backend: 'wasm', threads,
  });
  await net.fit(data.x, data.y, { epochs: 300, batchSize: 4, optimizer: { type: 'adam', lr: 0.05 } });
  return { accuracy: net.evaluate(data.x, data.y).accuracy, weights: Array.from(net.getWeights()) };
}

/** A digits subset on 784-32-10 relu/softmax, Adam, 3 epochs. */
async function digits(mlpx, threads, data) {
  const net = await mlpx.Network.create({
    inputs: 784, layers: [{ units: 32, activation: 'relu' }, { units: 10, activation: 'softmax' }],
    loss: 'cross_entropy', seed: 7, backend: 'wasm', threads,
  });
  await net.fit(data.train.x, data.train.labels, { epochs: 3, batchSize: 32, optimizer: { type: 'adam', lr: 0.005 } });
  return { accuracy: net.evaluate(data.test.x, data.test.labels).accuracy, weights: Array.from(net.getWeights()) };
}

export async function runScenarios(mlpx, threads, digitsData) {
  const started = performance.now();
  const result = { xor: await xor(mlpx, threads), digits: await digits(mlpx, threads, digitsData) };
  const wasm = (await mlpx.backendInfo()).find((status) => status.name === 'wasm');
  return { ...result, details: wasm?.details ?? null, reason: wasm?.reason ?? null, ms: performance.now() - started };
}

/** The digits subset's wire format: Int32 [trainRows, testRows], then x and labels of each split. */
export function decodeDigits(buffer) {
  const [trainRows, testRows] = new Int32Array(buffer, 0, 2);
  let offset = 8;
  const split = (rows) => {
    const x = new Float32Array(buffer.slice(offset, offset + rows * 784 * 4));
    offset += rows * 784 * 4;
    const labels = new Uint8Array(buffer.slice(offset, offset + rows));
    offset += rows;
    return { x, labels, rows };
  };
  return { train: split(trainRows), test: split(testRows) };
}

export function encodeDigits(train, test) {
  const bytes = 8 + (train.rows + test.rows) * (784 * 4 + 1);
  const out = new Uint8Array(bytes);
  new Int32Array(out.buffer, 0, 2).set([train.rows, test.rows]);
  let offset = 8;
  for (const split of [train, test]) {
    out.set(new Uint8Array(split.x.buffer, split.x.byteOffset, split.rows * 784 * 4), offset);
    offset += split.rows * 784 * 4;
    out.set(split.labels.subarray(0, split.rows), offset);
    offset += split.rows;
  }
  return out;
}
