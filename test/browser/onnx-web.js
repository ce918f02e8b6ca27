// The page's side of onnx-web.test.ts: window.runOnnxCase(modelBytes, x, rows) loads an mlpx
// model with the browser build, exports it with toOnnx(), runs the export in onnxruntime-web
// (wasm, one thread), imports it back with fromOnnx(), parses a CSV string with parseCsv, and
// returns every result.
import * as mlpx from '/dist/browser.js';
import * as ort from 'onnxruntime-web';

ort.env.wasm.wasmPaths = '/vendor/onnxruntime-web/';
ort.env.wasm.numThreads = 1;

window.runOnnxCase = async (modelBytes, xValues, rows) => {
  const net = await mlpx.Network.fromBuffer(Uint8Array.from(modelBytes), { backend: 'js' });
  const x = Float32Array.from(xValues);
  const onnx = await net.toOnnx();
  const session = await ort.InferenceSession.create(onnx, { executionProviders: ['wasm'] });
  const output = await session.run({ input: new ort.Tensor('float32', x, [rows, net.inputs]) });
  const imported = await mlpx.Network.fromOnnx(onnx, { backend: 'js' });
  const result = {
    onnx: Array.from(onnx),
    ort: Array.from(output.output.data),
    mlpx: Array.from(net.predict(x)),
    imported: Array.from(imported.predict(x)),
    schema: imported.dataSchema.classes,
    csv: await mlpx.parseCsv('\ufeffa,"b, quoted",label\r\n1,2,cat\r\n\r\n3,"4e1",dog\r\n', { target: 'label' }),
  };
  const rowsHtml = [['network', String(net)], ['ONNX bytes', String(onnx.length)], ['rows run in onnxruntime-web', String(rows)],
    ['first row (onnxruntime-web)', result.ort.slice(0, net.outputs).map((v) => v.toFixed(6)).join(', ')],
    ['first row (mlpx)', result.mlpx.slice(0, net.outputs).map((v) => v.toFixed(6)).join(', ')]];
  document.getElementById('results').innerHTML = rowsHtml.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('');
  document.getElementById('status').textContent = 'done';
  return result;
};
document.getElementById('status').textContent = 'ready';
window.onnxPageReady = true;
