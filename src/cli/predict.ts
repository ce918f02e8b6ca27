// `mlpx predict`: a saved model's predictions as CSV — for a classifier the class (its name when
// the model has class names) and one probability column per class; for regression the values.
import { fileStorage } from '../nn/storage.js';
import { Network } from '../nn/network.js';
import { classCount } from '../nn/data-schema.js';
import type { BackendChoice } from '../backend/registry.js';
import { readInputs, type InputOptions } from './inputs.js';

export interface PredictCommandOptions extends InputOptions {
  model: string;
  out?: string;
  backend: BackendChoice;
}

/** A CSV field, quoted when it holds a delimiter, a quote or a line break. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** 9 significant digits: every float32 survives the round trip through text. */
const number = (v: number): string => String(Number(v.toPrecision(9)));

export function predictionsCsv(net: Network, outputs: Float32Array, rows: number): string {
  const schema = net.dataSchema;
  const width = net.outputs;
  const lines: string[] = [];
  if (net.isClassifier) {
    const names = schema.classes ?? Array.from({ length: classCount(width) }, (_, i) => String(i));
    lines.push(['class', ...names.map((n) => `p(${n})`)].map(csvField).join(','));
    for (let r = 0; r < rows; r++) {
      // one sigmoid unit gives p(class 1); its complement is p(class 0)
      const p = width === 1 ? [1 - outputs[r]!, outputs[r]!] : Array.from(outputs.subarray(r * width, (r + 1) * width));
      let best = 0;
      for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
      lines.push([csvField(names[best]!), ...p.map(number)].join(','));
    }
  } else {
    const base = schema.target ?? 'output';
    lines.push((width === 1 ? [base] : Array.from({ length: width }, (_, i) => `${base}_${i + 1}`)).map(csvField).join(','));
    for (let r = 0; r < rows; r++) lines.push(Array.from(outputs.subarray(r * width, (r + 1) * width), number).join(','));
  }
  return lines.join('\n') + '\n';
}

export async function predictCommand(options: PredictCommandOptions): Promise<void> {
  if (options.out !== undefined) await fileStorage().checkWritable(options.out);
  const net = await Network.load(options.model, { backend: options.backend });
  const inputs = await readInputs(net, options, false);
  const csv = predictionsCsv(net, net.predict(inputs.x), inputs.rows);
  if (options.out === undefined) {
    process.stdout.write(csv);
    return;
  }
  await fileStorage().writeAtomic(options.out, new TextEncoder().encode(csv));
  process.stderr.write(`wrote ${inputs.rows} predictions to ${options.out}\n`);
}
