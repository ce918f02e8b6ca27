// The element-wise loops (native/elementwise.h) for AVX2: 256-bit vectors (compiled with -mavx2
// -mfma -ffp-contract=off).
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

const ElementwiseLoops kElementwiseAvx2 = kLoops;

}  // namespace mlpx
