// How long two cores take to hand one cache line back and forth, measured: the least that every
// pool job (publish, claim, finish) pays. The benchmark probes it after every round of a native row,
// since the same code scales far less where the two vCPUs sit on different dies than where they
// share a cache. Never called on the training or inference path.
#pragma once

namespace mlpx {

/**
 * Mean nanoseconds per round trip of `round_trips` hand-overs of a flag between this thread and a
 * fresh one (the OS places them; the GEMM pool's threads are not pinned either). Each side yields
 * every few hundred polls, so on a single core it ends too (at the scheduler's pace).
 */
double core_round_trip(int round_trips);

}  // namespace mlpx
