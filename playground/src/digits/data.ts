// The digits the page trains on: the set mlpx ships (gzip-compressed by the playground's build,
// decoded by mlpx's parseDigits), or MNIST-style IDX files the user picks, gzip-compressed or
// raw, read by mlpx's parseIdx.
import { imagesWithLabels, parseDigits, parseIdx, type IdxArray, type LabelledImages } from 'mlpx';

export interface DigitsData {
  source: string;
  train: LabelledImages;
  test: LabelledImages;
}

/** Gunzip bytes that start with the gzip magic; others are returned as they are. */
export async function gunzipIfCompressed(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new Error(`${name} starts like a gzip file but does not decompress (${(error as Error).message}): is it truncated?`);
  }
}

export async function shippedDigits(bytes: ArrayBuffer): Promise<DigitsData> {
  const { train, test } = parseDigits(await gunzipIfCompressed(new Uint8Array(bytes), 'the digits set'));
  return { source: 'the 10,000 digits that come with mlpx', train, test };
}

interface Parsed { name: string; idx: IdxArray }

/**
 * Two images files and two labels files (training and test: the larger set trains), or one of
 * each (its last fifth becomes the test rows). Images must be 28 × 28, labels 0–9.
 */
export async function idxDigits(files: { name: string; bytes: ArrayBuffer }[]): Promise<DigitsData> {
  const parsed: Parsed[] = [];
  for (const file of files) parsed.push({ name: file.name, idx: parseIdx(await gunzipIfCompressed(new Uint8Array(file.bytes), file.name), file.name) });
  const images = parsed.filter((p) => p.idx.dims.length === 3);
  const labels = parsed.filter((p) => p.idx.dims.length === 1);
  const other = parsed.find((p) => p.idx.dims.length !== 3 && p.idx.dims.length !== 1);
  if (other !== undefined) throw new Error(`${other.name} holds a ${other.idx.dims.join('×')} array: neither images (n × 28 × 28) nor labels (n)`);
  if (images.length === 0 || images.length !== labels.length || images.length > 2) {
    throw new Error(`pick the images and labels files of MNIST's training and test sets (4 files), or of one set (2 files); got ${images.length} images and ${labels.length} labels file(s)`);
  }
  for (const image of images) {
    const [, height, width] = image.idx.dims;
    if (height !== 28 || width !== 28) throw new Error(`${image.name} holds ${height}×${width} images; this page's networks take 28×28`);
  }
  for (const label of labels) {
    const bad = label.idx.data.findIndex((v) => v > 9);
    if (bad >= 0) throw new Error(`${label.name}: label ${bad} is ${label.idx.data[bad]}, not a digit 0–9`);
  }
  const sets = images.map((image) => {
    const rows = image.idx.dims[0]!;
    // pair by row count; two candidates (equal-sized sets) are told apart by 't10k'/'test' in the names
    const candidates = labels.filter((l) => l.idx.dims[0] === rows);
    const pair = candidates.length > 1 ? candidates.find((l) => isTestName(l.name) === isTestName(image.name)) : candidates[0];
    if (pair === undefined) throw new Error(`no labels file has ${rows} labels for the ${rows} images of ${image.name}`);
    return { name: `${image.name} + ${pair.name}`, labels: pair, data: imagesWithLabels(image.idx, pair.idx, image.name) };
  });
  if (sets.length === 2 && sets[0]!.labels === sets[1]!.labels) throw new Error(`both images files pair with ${sets[0]!.labels.name}: name the test files t10k-… or test-…`);
  if (sets.length === 2) {
    sets.sort((a, b) => b.data.rows - a.data.rows);
    return { source: `${sets[0]!.name} (training), ${sets[1]!.name} (test)`, train: sets[0]!.data, test: sets[1]!.data };
  }
  const all = sets[0]!.data;
  const trainRows = all.rows - Math.round(all.rows / 5);
  const rows = (start: number, end: number): LabelledImages => ({
    x: all.x.slice(start * 784, end * 784), labels: all.labels.slice(start, end), rows: end - start, features: 784,
  });
  return { source: `${sets[0]!.name} (the last fifth held out for testing)`, train: rows(0, trainRows), test: rows(trainRows, all.rows) };
}

function isTestName(name: string): boolean {
  return /t10k|test/i.test(name);
}
