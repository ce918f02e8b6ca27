#!/usr/bin/env node
// The mlpx command line: `mlpx train | predict | evaluate | export | import | info`. Errors print
// one line and exit non-zero.
import { Command, Option } from 'commander';
import '../index.js';
import { ACTIVATION_NAMES, LOSS_NAMES } from '../nn/architecture.js';
import { GRADIENT_TRANSFORM_DEFAULTS, learningRateHelp, OPTIMIZER_NAMES, SCHEDULE_DEFAULTS } from '../nn/optimizers.js';
import { DATASET_NAMES } from './datasets.js';
import { infoCommand } from './info.js';
import { columnList, fraction, layerList, nonNegativeInteger, nonNegativeNumber, positiveInteger, positiveNumber, rateList } from './options.js';
import { trainCommand, type TrainCommandOptions } from './train.js';
import { predictCommand, type PredictCommandOptions } from './predict.js';
import { evaluateCommand, type EvaluateCommandOptions } from './evaluate.js';
import { exportCommand, MODEL_FORMATS, type ModelFormat } from './export.js';
import { importCommand } from './import.js';
import type { LossName } from '../backend/kernels.js';

const program = new Command('mlpx').description('Train multi-layer perceptrons fast: native, WebAssembly and TypeScript backends.');

const backendOption = () => new Option('--backend <name>', 'backend').choices(['auto', 'native', 'wasm', 'js']).env('MLPX_BACKEND').default('auto');

program.command('train')
  .description('train a network and report test accuracy')
  .addOption(new Option('--data <dir>', 'folder with MNIST-style IDX files (train-/t10k- images and labels, raw or .gz)').conflicts('dataset'))
  .addOption(new Option('--dataset <name>', 'built-in data set').choices(DATASET_NAMES).conflicts('csv'))
  .addOption(new Option('--csv <file>', 'CSV file with a header row: numeric feature columns and a target column').conflicts('data'))
  .option('--target <column>', 'with --csv: the column to predict (class names → classifier, numbers → regression)')
  .option('--features <columns>', 'with --csv: feature columns, comma-separated (default: all but the target)', columnList)
  .option('--no-standardize', 'with --csv: train on the raw features (default: standardise with the training rows\' mean and std, saved in the model)')
  .option('--hidden <sizes>', 'hidden layer sizes, comma-separated ("none" for no hidden layer)', layerList, [128])
  .addOption(new Option('--activation <name>', 'hidden-layer activation').choices(ACTIVATION_NAMES).default('relu'))
  .option('--dropout <rates>', 'dropout rate of each hidden layer, comma-separated (one rate: every hidden layer; default none)', rateList)
  .addOption(new Option('--output-activation <name>', 'output activation (default: from the data set and loss)').choices(ACTIVATION_NAMES))
  .addOption(new Option('--loss <name>', 'loss (default: from the data set)').choices(LOSS_NAMES))
  .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZER_NAMES).default('adam'))
  .option('--lr <rate>', `learning rate (default: ${learningRateHelp()})`, positiveNumber)
  .option('--nesterov', 'with --optimizer momentum: Nesterov momentum')
  .option('--l2 <lambda>', `L2 penalty ½λ‖W‖² on the weights (default ${GRADIENT_TRANSFORM_DEFAULTS.l2})`, nonNegativeNumber)
  .option('--l1 <lambda>', `L1 penalty λ‖W‖₁ on the weights (default ${GRADIENT_TRANSFORM_DEFAULTS.l1})`, nonNegativeNumber)
  .option('--weight-decay <lambda>', `decoupled weight decay, AdamW with adam (default ${GRADIENT_TRANSFORM_DEFAULTS.weightDecay})`, nonNegativeNumber)
  .option('--clip-norm <c>', 'scale each gradient down to this global L2 norm (default: no clipping)', positiveNumber)
  .option('--clip-value <c>', 'clamp each gradient to [-c, c] (default: no clipping)', positiveNumber)
  .addOption(new Option('--lr-schedule <name>', 'learning rate schedule: cosine and constant per epoch (per update with --warmup-steps); step and exponential decay per update')
    .choices(['cosine', 'constant', 'step', 'exponential']).default('cosine'))
  .option('--warmup-steps <n>', `linear warm-up over the first N updates, then the schedule per update (default ${SCHEDULE_DEFAULTS.warmupSteps})`, nonNegativeInteger)
  .option('--decay-steps <n>', 'step: updates between decays; exponential: updates per factor of --decay-rate', positiveInteger)
  .option('--decay-rate <rate>', `step and exponential: the decay factor, in (0, 1] (step default ${SCHEDULE_DEFAULTS.gamma})`, positiveNumber)
  .option('--epochs <n>', 'epochs', positiveInteger, 5)
  .option('--batch <n>', 'mini-batch size (1 = stochastic; ≥ rows = full batch)', positiveInteger, 32)
  .option('--seed <n>', 'seed for initialisation and shuffling', nonNegativeInteger, 1)
  .addOption(backendOption())
  .option('--threads <n>', 'kernel threads (default: MLPX_THREADS, else all cores)', positiveInteger)
  .option('--train-limit <n>', 'use only the first N training rows', positiveInteger)
  .option('--validation-split <f>', 'fraction of training rows held out for per-epoch validation', fraction, 0.1)
  .option('--save <file>', 'save the trained model (written atomically)')
  .option('--json', 'print a JSON summary as the last line of stdout', false)
  .action((options: TrainCommandOptions) => trainCommand(options));

const inputOptions = (command: Command) => command
  .option('--csv <file>', 'CSV file: the columns the model was trained on (by name), or exactly its inputs')
  .option('--data <dir>', 'MNIST-style folder: its t10k test split')
  .option('--npy <file>', '.npy array of rows × inputs (float32, float64 or uint8)');

inputOptions(program.command('predict')
  .description('write a saved model\'s predictions as CSV (class and probabilities, or values)')
  .requiredOption('--model <file>', 'saved mlpx model'))
  .option('--out <file>', 'CSV file to write (atomically); default: stdout')
  .addOption(backendOption())
  .action((options: PredictCommandOptions) => predictCommand(options));

inputOptions(program.command('evaluate')
  .description('print a saved model\'s loss, and accuracy for classifiers, on labelled data')
  .requiredOption('--model <file>', 'saved mlpx model'))
  .option('--target <column>', 'with --csv: the target column (default: the one the model was trained on)')
  .option('--targets <file>', 'with --npy: .npy of class indices (classifiers) or target values')
  .addOption(backendOption())
  .option('--json', 'print one JSON line', false)
  .action((options: EvaluateCommandOptions) => evaluateCommand(options));

program.command('export')
  .description('write a saved model as ONNX (a file) or TF.js layers format (a folder: model.json, weights.bin)')
  .requiredOption('--model <file>', 'saved mlpx model')
  .addOption(new Option('--format <format>', 'model format').choices(MODEL_FORMATS).makeOptionMandatory())
  .requiredOption('--out <path>', 'ONNX file, or folder for TF.js')
  .action((options: { model: string; format: ModelFormat; out: string }) => exportCommand(options));

program.command('import')
  .description('read an ONNX or TF.js layers model of a dense network into an mlpx model file')
  .addOption(new Option('--format <format>', 'model format').choices(MODEL_FORMATS).makeOptionMandatory())
  .requiredOption('--in <path>', 'ONNX file, or TF.js folder (or its model.json)')
  .requiredOption('--out <file>', 'mlpx model file to write')
  .addOption(new Option('--loss <name>', 'loss for further training (default: the file\'s, else from the output activation)').choices(LOSS_NAMES))
  .action((options: { format: ModelFormat; in: string; out: string; loss?: LossName }) => importCommand(options));

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
