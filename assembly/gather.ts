// Gathering a batch: rows order[start + r] of the bound data copied to row r of the batch buffers.

/**
 * Batch rows [r0, r1): bytes [b0, b1) of their x rows of xBytes and, with `targets`, their y rows
 * of yBytes and, unless dataW is 0, each row's weight (f32) into bw; source row numbers (u32) at
 * order + 4·(start + r).
 */
export function gather_rows(
  bx: usize, by: usize, bw: usize, dataX: usize, dataY: usize, dataW: usize, order: usize, start: i32, r0: i32, r1: i32,
  xBytes: usize, yBytes: usize, b0: usize, b1: usize, targets: bool,
): void {
  for (let r = r0; r < r1; r++) {
    const row = <usize>load<u32>(order + (<usize>(start + r) << 2));
    memory.copy(bx + <usize>r * xBytes + b0, dataX + row * xBytes + b0, b1 - b0);
    if (!targets) continue;
    memory.copy(by + <usize>r * yBytes, dataY + row * yBytes, yBytes);
    if (dataW != 0) store<f32>(bw + (<usize>r << 2), load<f32>(dataW + (row << 2)));
  }
}
