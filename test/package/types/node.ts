// The Node build's types (the `node` condition): files, IDX data and the native backend.
import { expectTypeOf } from 'expect-type';
import { Network, backendInfo, gradientCheck, loadMnist, readIdxFile, setBackend, setThreads, xorData, type BackendStatus, type History, type MnistData } from 'mlpx';
// @ts-expect-error setWasmLocation is part of the browser build only
import { setWasmLocation } from 'mlpx';

expectTypeOf(loadMnist).toEqualTypeOf<(dir: string) => Promise<MnistData>>();
expectTypeOf(readIdxFile).parameter(0).toEqualTypeOf<string>();
expectTypeOf(setBackend).parameter(0).toEqualTypeOf<'auto' | 'native' | 'wasm' | 'js'>();
expectTypeOf(setThreads).toEqualTypeOf<(threads: number) => void>();
expectTypeOf(backendInfo).returns.resolves.toEqualTypeOf<BackendStatus[]>();

const data = xorData();
const net = await Network.create({ inputs: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binary_cross_entropy' });
expectTypeOf(net.fit(data.x, data.y, { epochs: 1 })).resolves.toEqualTypeOf<History>();
expectTypeOf(net.save).toEqualTypeOf<(path: string) => Promise<void>>();
expectTypeOf(Network.load).returns.resolves.toEqualTypeOf<Network>();
expectTypeOf(gradientCheck(net, data.x, data.y).maxRelativeError).toBeNumber();
void setWasmLocation;
