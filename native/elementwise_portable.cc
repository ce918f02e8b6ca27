// The element-wise loops (native/elementwise.h) for the baseline ISA: SSE2 on x86-64, NEON on
// ARM64.
#include <math.h>
#include <string.h>

#include "activation.h"
#include "elementwise.h"
#include "loss.h"
#include "optim.h"

namespace mlpx {

namespace {
#include "elementwise_loops.inc"
}  // namespace

const ElementwiseLoops kElementwisePortable = kLoops;

}  // namespace mlpx
