// activation family (pointers into linear memory). Element-wise except softmax, which works per
// row and subtracts the row maximum first so exp never overflows.

/** Activation ids. Must match src/backend/kernels.ts (Activation) and native/activation.h. */
export const ACT_LINEAR: i32 = 0;
export const ACT_SIGMOID: i32 = 1;
export const ACT_TANH: i32 = 2;
export const ACT_RELU: i32 = 3;
export const ACT_LEAKY_RELU: i32 = 4;
export const ACT_SOFTMAX: i32 = 5;
/** Must match LEAKY_SLOPE in src/backend/kernels.ts. */
export const LEAKY_SLOPE: f32 = 0.01;

/** a (m, n) = act(z) */
export function activation_forward(a: usize, z: usize, m: i32, n: i32, act: i32): void {
  const end = z + (<usize>(m * n) << 2);
  const shift = a - z;
  switch (act) {
    case ACT_LINEAR:
      memory.copy(a, z, end - z);
      return;
    case ACT_SIGMOID:
      for (let p = z; p < end; p += 4) store<f32>(p + shift, 1 / (1 + Mathf.exp(-load<f32>(p))));
      return;
    case ACT_TANH:
      for (let p = z; p < end; p += 4) store<f32>(p + shift, Mathf.tanh(load<f32>(p)));
      return;
    case ACT_RELU:
      relu_forward(a, z, m * n, 0);
      return;
    case ACT_LEAKY_RELU:
      relu_forward(a, z, m * n, LEAKY_SLOPE);
      return;
    case ACT_SOFTMAX:
      for (let r = 0; r < m; r++) softmax_row(a + (<usize>(r * n) << 2), z + (<usize>(r * n) << 2), n);
      return;
    default:
      unreachable(); // unknown activation id (validated in TS; reaching here is a bug)
  }
}

// a = z > 0 ? z : slope·z, four lanes at a time
function relu_forward(a: usize, z: usize, count: i32, slope: f32): void {
  const count4 = count & ~3;
  const zero = f32x4.splat(0), s = f32x4.splat(slope);
  let i = 0;
  for (; i < count4; i += 4) {
    const off = <usize>i << 2;
    const v = v128.load(z + off);
    v128.store(a + off, v128.bitselect(v, f32x4.mul(v, s), f32x4.gt(v, zero)));
  }
  for (; i < count; i++) {
    const off = <usize>i << 2;
    const v = load<f32>(z + off);
    store<f32>(a + off, v > 0 ? v : slope * v);
  }
}

function softmax_row(a: usize, z: usize, n: i32): void {
  let max: f32 = -Infinity;
  for (let j = 0; j < n; j++) max = Mathf.max(max, load<f32>(z + (<usize>j << 2)));
  let sum: f64 = 0;
  for (let j = 0; j < n; j++) {
    const e = Mathf.exp(load<f32>(z + (<usize>j << 2)) - max);
    store<f32>(a + (<usize>j << 2), e);
    sum += e;
  }
  const inv = <f32>(1 / sum);
  for (let j = 0; j < n; j++) store<f32>(a + (<usize>j << 2), load<f32>(a + (<usize>j << 2)) * inv);
}

/** dz (m, n) = da ⊙ act'(z), from z or a = act(z); softmax uses its row Jacobian */
export function activation_backward(dz: usize, da: usize, z: usize, a: usize, m: i32, n: i32, act: i32): void {
  const count = m * n;
  switch (act) {
    case ACT_LINEAR:
      memory.copy(dz, da, <usize>count << 2);
      return;
    case ACT_SIGMOID:
      for (let i = 0; i < count; i++) {
        const off = <usize>i << 2;
        const y = load<f32>(a + off);
        store<f32>(dz + off, load<f32>(da + off) * y * (1 - y));
      }
      return;
    case ACT_TANH:
      for (let i = 0; i < count; i++) {
        const off = <usize>i << 2;
        const y = load<f32>(a + off);
        store<f32>(dz + off, load<f32>(da + off) * (1 - y * y));
      }
      return;
    case ACT_RELU:
      relu_backward(dz, da, z, count, 0);
      return;
    case ACT_LEAKY_RELU:
      relu_backward(dz, da, z, count, LEAKY_SLOPE);
      return;
    case ACT_SOFTMAX:
      for (let r = 0; r < m; r++) {
        const row = <usize>(r * n) << 2;
        let dot: f32 = 0;
        for (let j = 0; j < n; j++) dot += load<f32>(da + row + (<usize>j << 2)) * load<f32>(a + row + (<usize>j << 2));
        for (let j = 0; j < n; j++) {
          const off = row + (<usize>j << 2);
          store<f32>(dz + off, load<f32>(a + off) * (load<f32>(da + off) - dot));
        }
      }
      return;
    default:
      unreachable(); // unknown activation id
  }
}

// dz = z > 0 ? da : slope·da (dz may alias da)
function relu_backward(dz: usize, da: usize, z: usize, count: i32, slope: f32): void {
  const count4 = count & ~3;
  const zero = f32x4.splat(0), s = f32x4.splat(slope);
  let i = 0;
  for (; i < count4; i += 4) {
    const off = <usize>i << 2;
    const d = v128.load(da + off);
    v128.store(dz + off, v128.bitselect(d, f32x4.mul(d, s), f32x4.gt(v128.load(z + off), zero)));
  }
  for (; i < count; i++) {
    const off = <usize>i << 2;
    const d = load<f32>(da + off);
    store<f32>(dz + off, load<f32>(z + off) > 0 ? d : slope * d);
  }
}
