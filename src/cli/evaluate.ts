// `mlpx evaluate`: a saved model's mean loss (and accuracy for classifiers) on labelled rows.
import type { BackendChoice } from '../backend/registry.js';
import { Network } from '../nn/network.js';
import { readInputs, type InputOptions } from './inputs.js';

export interface EvaluateCommandOptions extends InputOptions {
  model: string;
  backend: BackendChoice;
  json: boolean;
}

export async function evaluateCommand(options: EvaluateCommandOptions): Promise<void> {
  const net = await Network.load(options.model, { backend: options.backend });
  const inputs = await readInputs(net, options, true);
  const { loss, accuracy } = net.evaluate(inputs.x, inputs.y!);
  if (options.json) {
    process.stdout.write(JSON.stringify({ model: options.model, data: inputs.source, rows: inputs.rows, lossFunction: net.architecture.loss, loss, accuracy, backend: net.backend.name }) + '\n');
    return;
  }
  process.stdout.write(`${net}\n${inputs.source}: ${inputs.rows} rows, ${net.architecture.loss} loss ${loss.toPrecision(4)}${accuracy === null ? '' : `, accuracy ${(100 * accuracy).toFixed(2)}%`}\n`);
}
