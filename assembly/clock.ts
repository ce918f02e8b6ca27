// The calling thread's clock (performance.now(), in milliseconds), imported from JS. A call costs
// about 0.05 µs in Node 20, a lot beside a small task: the thread pool reads it once per split
// task and again only once a join has already waited a while (or a worker is waking), the phase
// clocks (profile.ts) only in the profile build.
// @ts-ignore: decorator
@external("env", "now") export declare function now(): f64;
