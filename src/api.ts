// The public API shared by the Node and browser entry points.
export { setBackend, setThreads, backendInfo, loadBackend, registerBackend } from './backend/registry.js';
export type { BackendChoice, BackendStatus } from './backend/registry.js';
export type { Backend, BackendDetails, BackendName, Engine } from './backend/engine.js';
export { Activation, Loss, Optimizer, KERNEL_NAMES } from './backend/kernels.js';
export type { Kernels, ActivationName, LossName, OptimizerKindName } from './backend/kernels.js';
export * from './util/errors.js';
