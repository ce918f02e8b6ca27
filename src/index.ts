// mlpx for Node.js.
import './backends.node.js';

export * from './api.js';
