// The browser build's types (the `browser` and `default` conditions): exactly what dist/browser.js
// exports — setWasmLocation, no file access.
import { expectTypeOf } from 'expect-type';
import { Network, backendInfo, gradientCheck, setWasmLocation, xorData, type BackendStatus, type History } from 'mlpx';
// @ts-expect-error loadMnist reads files: Node only
import { loadMnist } from 'mlpx';
// @ts-expect-error readIdxFile reads files: Node only
import { readIdxFile } from 'mlpx';

expectTypeOf(setWasmLocation).toEqualTypeOf<(base: string | URL) => void>();
expectTypeOf(backendInfo).returns.resolves.toEqualTypeOf<BackendStatus[]>();

const data = xorData();
const net = await Network.create({ inputs: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binary_cross_entropy' });
expectTypeOf(net).toEqualTypeOf<Network>();
expectTypeOf(net.fit(data.x, data.y, { epochs: 1 })).resolves.toEqualTypeOf<History>();
expectTypeOf(Network.fromBuffer(net.toBuffer())).resolves.toEqualTypeOf<Network>();
expectTypeOf(gradientCheck(net, data.x, data.y).maxRelativeError).toBeNumber();
// @ts-expect-error no files in the browser: toBuffer() instead
await net.save('model.mlpx');
// @ts-expect-error no files in the browser: Network.fromBuffer() instead
await Network.load('model.mlpx');
void loadMnist;
void readIdxFile;
