// One persistent thread that runs the training epochs handed to it, so the thread pool always has
// the same caller for the GEMMs and passes of an epoch.
//
// trainEpoch runs on libuv's pool, which hands each call to whichever of its (four) threads is free.
// The calling thread runs chunk 0 of every affine split (ThreadPool::run), so its rows of W, dW
// and the optimizer state live in its core's cache; a new caller on the other core pulled all of
// them across at the start of every call: 784-128-10 at batch 32 on two threads ran 1.04-1.07x
// slower per step at 16 steps per call than at 256 (1.00x with one libuv thread).
#pragma once

namespace mlpx {

/**
 * Runs fn(context) on the lead thread (started on first use, kept for the process's life) and
 * returns when it has, rethrowing on this thread whatever fn threw. Calls wait for each other;
 * fn must not call this. Where no thread can be started, fn runs on the calling thread.
 */
void run_on_lead_thread(void (*fn)(void* context), void* context);

}  // namespace mlpx
