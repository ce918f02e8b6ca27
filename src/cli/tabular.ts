// A CSV as the CLI trains on it: rows shuffled (seeded, in place, so a file sorted by class still
// splits fairly), the last fifth held out for the test, and the inputs standardised in place with
// the training rows' statistics (unless switched off), so a million rows are never copied.
import { readCsvFile } from '../data/csv-file.js';
import { computeStandardization, standardize, type Standardization } from '../data/standardize.js';
import type { Table } from '../data/table.js';
import { Random } from '../util/prng.js';
import type { CliData } from './datasets.js';

export const TEST_FRACTION = 0.2;

export interface CsvTrainOptions {
  csv: string;
  target: string;
  features?: string[];
  seed: number;
  standardize: boolean;
}

export async function loadCsvData(options: CsvTrainOptions): Promise<CliData> {
  const table = await readCsvFile(options.csv, { target: options.target, features: options.features });
  const { rows, features } = table;
  const width = features.length;
  shuffleRows(table, new Random(options.seed));
  const testRows = rows >= 5 ? Math.floor(rows * TEST_FRACTION) : 0;
  const trainRows = rows - testRows;
  let stats: Standardization | null = null;
  if (options.standardize) {
    stats = computeStandardization(table.x, width, trainRows);
    standardize(table.x, stats, table.x);
  }
  const y = table.y!;
  const classes = table.classes;
  const split = (start: number, end: number) => ({ x: table.x.subarray(start * width, end * width), y: y.subarray(start, end), rows: end - start });
  const train = split(0, trainRows);
  return {
    name: `${options.csv} (${rows} rows, ${width} features, ${classes === null ? `numeric target '${table.target}'` : `${classes.length} classes in '${table.target}'`}; ${testRows > 0 ? `${100 - 100 * TEST_FRACTION}/${100 * TEST_FRACTION} shuffled split` : 'too few rows to hold any out'})`,
    inputs: width,
    outputs: classes === null ? 1 : classes.length,
    train,
    test: testRows > 0 ? split(trainRows, rows) : train,
    heldOut: testRows > 0,
    outputActivation: classes === null ? 'linear' : 'softmax',
    loss: classes === null ? 'mse' : 'cross_entropy',
    schema: { features, target: table.target, classes },
    appliedStandardization: stats,
  };
}

/** Fisher–Yates over whole rows of x and their targets. */
function shuffleRows(table: Table, random: Random): void {
  const width = table.features.length;
  const { x } = table;
  const y = table.y!;
  const row = new Float32Array(width);
  for (let i = table.rows - 1; i > 0; i--) {
    const j = random.int(i + 1);
    if (j === i) continue;
    row.set(x.subarray(i * width, (i + 1) * width));
    x.copyWithin(i * width, j * width, (j + 1) * width);
    x.set(row, j * width);
    const t = y[i]!;
    y[i] = y[j]!;
    y[j] = t;
  }
}
