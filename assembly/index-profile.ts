// The profile build's exports (assembly/build.mjs --profile): the module's, and the phase clocks.
export * from './index';
export { profile_read, profile_reset, PHASE_COUNT } from './profile';
