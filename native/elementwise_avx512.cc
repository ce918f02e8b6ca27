// The element-wise loops (native/elementwise.h) for AVX-512: 512-bit vectors (compiled with the
// AVX-512 flags and -ffp-contract=off).
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

const ElementwiseLoops kElementwiseAvx512 = kLoops;

}  // namespace mlpx
