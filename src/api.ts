// The public API shared by the Node and browser entry points. Network and gradientCheck are not
// here: each entry exports its own view of them (the browser's has no file save/load).
export type { NetworkOptions, BackendOptions, TrainingState } from './nn/network.js';
export type { FitOptions, History, EpochRecord, BatchInfo, EarlyStoppingOptions, LearningRateSchedule, StepSchedule } from './nn/fit.js';
export type { OptimizerOptions, OptimizerName, GradientOptimizerOptions, ArmijoOptions, RandomSearchOptions } from './nn/optimizers.js';
export { OPTIMIZER_DEFAULTS, GRADIENT_TRANSFORM_DEFAULTS, SCHEDULE_DEFAULTS } from './nn/optimizers.js';
export type { Architecture, LayerOptions, InitName } from './nn/architecture.js';
export { gradientCheckSpec } from './nn/gradcheck.js';
export type { GradientCheckResult, GradientCheckOptions } from './nn/gradcheck.js';
export { xorData, squaresData, spiralsData } from './data/generators.js';
export type { Dataset } from './data/generators.js';
export { parseIdx, imagesWithLabels } from './data/idx.js';
export { parseDigits } from './data/digits-format.js';
export { parseCsv } from './data/csv.js';
export type { Table, TableOptions } from './data/table.js';
export { parseNpy } from './data/npy.js';
export type { NpyArray } from './data/npy.js';
export { computeStandardization } from './data/standardize.js';
export type { Standardization } from './data/standardize.js';
export type { DataSchema, DataSchemaOptions } from './nn/data-schema.js';
export type { TfjsModel, TfjsModelJson } from './interop/tfjs.js';
export type { IdxArray, LabelledImages } from './data/idx.js';
export { Random } from './util/prng.js';
export { setBackend, setThreads, backendInfo, loadBackend, registerBackend } from './backend/registry.js';
export type { BackendChoice, BackendStatus } from './backend/registry.js';
export type { Backend, BackendDetails, BackendName, Engine } from './backend/engine.js';
export { Activation, Loss, Optimizer, KERNEL_NAMES } from './backend/kernels.js';
export type { Kernels, ActivationName, LossName, OptimizerKindName } from './backend/kernels.js';
export * from './util/errors.js';
