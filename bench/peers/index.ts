// Everything that can be measured on this machine, found once per run; what cannot be is
// printed with the reason.
import type { Contender } from '../harness.js';
import type { GemmCase, InferCase, TrainCase } from '../cases.js';
import { BrainInfer, BrainTrain, loadBrain } from './brain.js';
import { MlpxGemm, MlpxInfer, MlpxTrain, mlpxTargets, type MlpxTarget } from './mlpx.js';
import { NumpyGemm, NumpyInfer, NumpyTrain, numpyProcesses, type NumpyProcess } from './numpy.js';
import { TfGemm, TfInfer, TfTrain, tfjsBackends, type TfBackend } from './tfjs.js';
import { loadOrt, OrtInfer } from './onnxruntime.js';

export interface Peers {
  mlpx: MlpxTarget[];
  tfjs: { name: TfBackend; threads: number }[];
  brain: ReturnType<typeof loadBrain>;
  numpy: NumpyProcess[];
  ort: ReturnType<typeof loadOrt>;
  /** numpy's timed calls last at least a quarter round */
  roundMs: number;
}

export async function findPeers(roundMs: number): Promise<Peers> {
  const mlpx = await mlpxTargets();
  const tfjs = await tfjsBackends();
  const brain = loadBrain();
  const numpy = await numpyProcesses();
  return { mlpx, tfjs, brain, numpy, ort: loadOrt(), roundMs };
}

export function closePeers(peers: Peers): void {
  for (const proc of peers.numpy) proc.close();
}

export function gemmContenders(p: Peers): Contender<GemmCase>[] {
  return [
    ...p.mlpx.map((t) => new MlpxGemm(t)),
    ...p.tfjs.map((b) => new TfGemm(b.name, b.threads)),
    ...p.numpy.map((proc) => new NumpyGemm(proc, p.roundMs)),
  ];
}

export function trainContenders(p: Peers): Contender<TrainCase>[] {
  return [
    ...p.mlpx.map((t) => new MlpxTrain(t)),
    ...p.tfjs.map((b) => new TfTrain(b.name, b.threads)),
    ...(p.brain ? [new BrainTrain(p.brain)] : []),
    ...p.numpy.map((proc) => new NumpyTrain(proc, p.roundMs)),
  ];
}

export function inferContenders(p: Peers): Contender<InferCase>[] {
  return [
    ...p.mlpx.map((t) => new MlpxInfer(t)),
    ...p.tfjs.map((b) => new TfInfer(b.name, b.threads)),
    ...(p.brain ? [new BrainInfer(p.brain)] : []),
    ...p.numpy.map((proc) => new NumpyInfer(proc, p.roundMs)),
    ...(p.ort ? [1, 2].map((threads) => new OrtInfer(p.ort!, threads)) : []),
  ];
}

/** Ratio baselines in order of preference (the first one measured in a case wins). */
export function baselines(p: Peers): { gemm: string[]; train: string[]; infer: string[]; mnist: string[] } {
  const numpy1 = p.numpy.filter((proc) => proc.threads === 1).map((proc) => `numpy ${proc.blas} 1t`);
  return {
    gemm: [...numpy1, 'tfjs wasm 1t'],
    // numpy when tfjs wasm sat a case out (over the time cap on 784-512-256-10 on a slow day);
    // plain native training in the training features' case, which only mlpx runs
    train: ['tfjs wasm 1t', ...numpy1, 'brain.js cpu 1t', 'mlpx native 1t'],
    infer: ['tfjs wasm 1t', 'brain.js cpu 1t'],
    mnist: ['tfjs wasm 1t'],
  };
}
