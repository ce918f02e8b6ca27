#!/usr/bin/env node
// The mlpx command line: `mlpx train …`, `mlpx info`. Errors print one line and exit non-zero.
import { Command, Option } from 'commander';
import '../index.js';
import { ACTIVATION_NAMES, LOSS_NAMES } from '../nn/architecture.js';
import { learningRateHelp, OPTIMIZER_NAMES } from '../nn/optimizers.js';
import { DATASET_NAMES } from './datasets.js';
import { infoCommand } from './info.js';
import { fraction, layerList, nonNegativeInteger, positiveInteger, positiveNumber } from './options.js';
import { trainCommand, type TrainCommandOptions } from './train.js';

const program = new Command('mlpx').description('Train multi-layer perceptrons fast: native, WebAssembly and TypeScript backends.');

program.command('train')
  .description('train a network and report test accuracy')
  .addOption(new Option('--data <dir>', 'folder with MNIST-style IDX files (train-/t10k- images and labels, raw or .gz)').conflicts('dataset'))
  .addOption(new Option('--dataset <name>', 'built-in data set').choices(DATASET_NAMES))
  .option('--hidden <sizes>', 'hidden layer sizes, comma-separated ("none" for no hidden layer)', layerList, [128])
  .addOption(new Option('--activation <name>', 'hidden-layer activation').choices(ACTIVATION_NAMES).default('relu'))
  .addOption(new Option('--output-activation <name>', 'output activation (default: from the data set and loss)').choices(ACTIVATION_NAMES))
  .addOption(new Option('--loss <name>', 'loss (default: from the data set)').choices(LOSS_NAMES))
  .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZER_NAMES).default('adam'))
  .option('--lr <rate>', `learning rate (default: ${learningRateHelp()})`, positiveNumber)
  .addOption(new Option('--lr-schedule <name>', 'learning rate per epoch: cosine annealing or constant').choices(['cosine', 'constant']).default('cosine'))
  .option('--epochs <n>', 'epochs', positiveInteger, 5)
  .option('--batch <n>', 'mini-batch size (1 = stochastic; ≥ rows = full batch)', positiveInteger, 32)
  .option('--seed <n>', 'seed for initialisation and shuffling', nonNegativeInteger, 1)
  .addOption(new Option('--backend <name>', 'backend').choices(['auto', 'native', 'wasm', 'js']).default('auto'))
  .option('--threads <n>', 'kernel threads (default: MLPX_THREADS, else all cores)', positiveInteger)
  .option('--train-limit <n>', 'use only the first N training rows', positiveInteger)
  .option('--validation-split <f>', 'fraction of training rows held out for per-epoch validation', fraction, 0.1)
  .option('--save <file>', 'save the trained model (written atomically)')
  .option('--json', 'print a JSON summary as the last line of stdout', false)
  .action((options: TrainCommandOptions) => trainCommand(options));

program.command('info')
  .description('list the backends: available or why not, kernel path, threads')
  .option('--json', 'machine-readable output', false)
  .action((options: { json: boolean }) => infoCommand(options));

program.command('build-native')
  .description('build the native addon from source (needs CMake and a C++17 compiler); npm does not run it for dependencies')
  .action(async () => {
    // the build script sits beside the package's C++ sources, two folders up from src/cli and dist/cli
    const { buildNative } = await import('../../native/build.mjs');
    if (!buildNative({ require: true }).ok) process.exitCode = 1;
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`mlpx: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
