// Child process of the csv suite: read one CSV with readCsvFile and report the time, the peak
// resident memory of this whole process (Node, tsx and the data), and what it read for validation.
import { readCsvFile } from '../src/index.js';

const [path, target] = process.argv.slice(2) as [string, string];
const started = performance.now();
const table = await readCsvFile(path, { target });
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({
  seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024, rows: table.rows, columns: table.features.length,
  firstRow: Array.from(table.x.subarray(0, table.features.length)), classes: table.classes, xBytes: table.x.byteLength,
}) + '\n');
