// numpy/OpenBLAS reference rows: one python3 process per thread count (OPENBLAS_NUM_THREADS is
// read when OpenBLAS loads, so it is set per process), driven over stdin/stdout by
// bench/peers/numpy_ref.py. Skipped with a printed note when python3 or numpy is missing.
// numpy runs as its users run it: the variables in OPENBLAS_OVERRIDES are removed from these
// processes' environment (and only theirs), and the kernel OpenBLAS then chose is recorded.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Contender, Runner } from '../harness.js';
import { VALIDATION_STEPS, classifierHidden, isClassifier, type GemmCase, type InferCase, type TrainCase } from '../cases.js';
import { checkClose, checkGemm, checkLosses } from '../validate.js';
import { log } from '../log.js';
import { describeOpenblas, OPENBLAS_OVERRIDES, type NumpyInfo } from '../numpy-info.js';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'numpy_ref.py');

interface Reply {
  error?: string; losses?: number[] | null; seconds?: number; calls?: number;
  blas?: string; numpy?: string; build_config?: string | null; openblas?: NumpyInfo['openblas'];
}

/** This process's environment for a numpy child: thread counts set, the OpenBLAS overrides removed. */
export function numpyEnvironment(threads: number): { env: NodeJS.ProcessEnv; removed: Record<string, string> } {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const removed: Record<string, string> = {};
  for (const name of OPENBLAS_OVERRIDES) {
    if (env[name] !== undefined) removed[name] = env[name]!;
    delete env[name];
  }
  return { env, removed };
}

export class NumpyProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: Interface;
  readonly #waiting: ((line: string) => void)[] = [];
  #stderr = '';
  #nextId = 0;
  blas = 'openblas';
  readonly #removed: Record<string, string>;
  info: NumpyInfo | undefined;

  constructor(readonly threads: number, readonly dir: string) {
    const { env, removed } = numpyEnvironment(threads);
    this.#removed = removed;
    this.#child = spawn('python3', [SCRIPT], { env });
    this.#child.stderr.on('data', (chunk) => (this.#stderr += String(chunk)));
    this.#lines = createInterface({ input: this.#child.stdout });
    this.#lines.on('line', (line) => this.#waiting.shift()?.(line));
    this.#child.on('exit', () => { for (const w of this.#waiting.splice(0)) w(JSON.stringify({ error: `python3 exited: ${this.#stderr.trim()}` })); });
  }

  async start(): Promise<Reply> {
    const hello = JSON.parse(await new Promise<string>((resolve) => this.#waiting.push(resolve))) as Reply;
    if (hello.error) throw new Error(hello.error);
    this.blas = (hello.blas ?? 'blas').replace(/^scipy-/, '');
    this.info = {
      threads: this.threads, numpy: hello.numpy ?? '?', blas: hello.blas ?? '?', buildConfig: hello.build_config ?? null,
      openblas: hello.openblas ?? null, removed: this.#removed,
    };
    return hello;
  }

  async request(message: object): Promise<Reply> {
    const reply = new Promise<string>((resolve) => this.#waiting.push(resolve));
    this.#child.stdin.write(JSON.stringify(message) + '\n');
    const parsed = JSON.parse(await reply) as Reply;
    if (parsed.error) throw new Error(`numpy: ${parsed.error}`);
    return parsed;
  }

  newId(): number { return this.#nextId++; }

  /** Raw float32 (or uint32) file for numpy's fromfile. */
  file(name: string, data: Float32Array | Uint32Array): string {
    const file = path.join(this.dir, `${this.threads}-${name}.${data instanceof Uint32Array ? 'u32' : 'f32'}`);
    writeFileSync(file, data);
    return file;
  }

  close(): void { this.#child.stdin.end(); }
}

/** Start 1-thread and all-core numpy processes, or explain why there are none. */
export async function numpyProcesses(): Promise<NumpyProcess[]> {
  const probe = spawnSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    log(`note: numpy reference rows skipped: ${probe.error ? 'python3 not found' : `numpy not importable (${probe.stderr.trim().split('\n').pop()})`}`);
    return [];
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlpx-bench-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const counts = [...new Set([1, os.availableParallelism()])];
  const procs = counts.map((t) => new NumpyProcess(t, dir));
  const hello = await Promise.all(procs.map((p) => p.start()));
  log(`numpy ${hello[0]!.numpy} (${procs[0]!.blas}): reference rows at ${counts.join(' and ')} threads (OPENBLAS_NUM_THREADS per process)`);
  const removed = Object.entries(procs[0]!.info!.removed).map(([name, value]) => `${name}=${value}`);
  if (removed.length > 0) log(`numpy: run without ${removed.join(' and ')} (set in this environment; a user's numpy picks its kernels itself)`);
  for (const proc of procs) log(`numpy ${proc.threads}t: OpenBLAS ${describeOpenblas(proc.info!)}`);
  return procs;
}

/** Times the job inside python; the reply becomes tinybench's overridden sample. */
function runnerFor(proc: NumpyProcess, id: number, roundMs: number): Runner {
  return {
    run: async () => {
      const reply = await proc.request({ op: 'run', id, min_seconds: Math.min(0.05, roundMs / 4000) });
      const ms = reply.seconds! * 1000;
      return { overriddenDuration: ms, overriddenIterationCost: ms * reply.calls! };
    },
    dispose: async () => { await proc.request({ op: 'drop', id }); },
  };
}

abstract class NumpyContender<C> implements Contender<C> {
  readonly impl = 'numpy';
  readonly backend: string;
  readonly threads: number;
  constructor(protected readonly proc: NumpyProcess, protected readonly roundMs: number) {
    this.backend = proc.blas;
    this.threads = proc.threads;
  }
  abstract prepare(c: C): Promise<Runner>;
}

export class NumpyGemm extends NumpyContender<GemmCase> {
  async prepare({ m, k, n, a, b }: GemmCase): Promise<Runner> {
    const id = this.proc.newId();
    const out = path.join(this.proc.dir, `${this.threads}-c.f32`);
    await this.proc.request({ op: 'gemm', id, m, k, n, a: this.proc.file('a', a), b: this.proc.file('b', b), out });
    const buf = readFileSync(out);
    checkGemm(new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4), a, b, m, k, n);
    return runnerFor(this.proc, id, this.roundMs);
  }
}

const notClassifier = 'the numpy loop is the softmax classifier (ReLU or tanh hidden layers) only';

export class NumpyTrain extends NumpyContender<TrainCase> {
  skip(c: TrainCase): string | undefined {
    return isClassifier(c.spec) ? undefined : notClassifier;
  }
  async prepare(c: TrainCase): Promise<Runner> {
    const id = this.proc.newId();
    const reply = await this.proc.request({
      op: 'train', id, sizes: c.spec.sizes, hidden: classifierHidden(c.spec), batch: c.batch, opt: c.optimizer, lr: c.opt.lr, beta1: c.opt.beta1,
      beta2: c.opt.beta2, eps: c.opt.eps, validate_steps: VALIDATION_STEPS, params: this.proc.file('params', c.params),
      x: this.proc.file('x', c.data.x.subarray(0, c.samplesPerCall * c.data.inputs)),
      y: this.proc.file('y', c.data.y.subarray(0, c.samplesPerCall * c.data.classes)),
      order: this.proc.file('order', c.order),
    });
    checkLosses(reply.losses!, c.referenceLosses, 1e-3, `numpy losses of ${VALIDATION_STEPS} steps`);
    return runnerFor(this.proc, id, this.roundMs);
  }
}

export class NumpyInfer extends NumpyContender<InferCase> {
  skip(c: InferCase): string | undefined {
    return isClassifier(c.spec) ? undefined : notClassifier;
  }
  async prepare(c: InferCase): Promise<Runner> {
    const id = this.proc.newId();
    const out = path.join(this.proc.dir, `${this.threads}-p.f32`);
    await this.proc.request({ op: 'infer', id, sizes: c.spec.sizes, hidden: classifierHidden(c.spec), batch: c.batch, params: this.proc.file('params', c.params), x: this.proc.file('x', c.x), out });
    const buf = readFileSync(out);
    checkClose(new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4), c.reference, 1e-6, 1e-4, 'numpy forward');
    return runnerFor(this.proc, id, this.roundMs);
  }
}
