// Reading a CSV file (Node only) as a stream: the text is never held whole, the values go into
// typed arrays that grow as rows arrive (sized up front from the file size once the first rows
// show how long a row is).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { fileError, requirePath } from '../io/file-errors.js';
import { DataError, FileError, MlpxError } from '../util/errors.js';
import { CSV_OPTIONS, csvError, recordHandler } from './csv.js';
import { TableBuilder, type Table, type TableOptions } from './table.js';

/** Rows read before the file size and the bytes per row so far predict the row count. */
const SAMPLE_ROWS = 1000;

export async function readCsvFile(path: string, options: TableOptions = {}): Promise<Table> {
  requirePath(path);
  const size = await stat(path).then((s) => {
    if (!s.isFile()) throw new FileError(`could not read ${path} (not a regular file)`, path);
    return s.size;
  }, (error: unknown) => {
    throw error instanceof FileError ? error : fileError('could not read', path, error);
  });
  if (size === 0) throw new DataError(`${path}: the file is empty (no header row)`);
  const builder = new TableBuilder(path, options);
  const onRecord = recordHandler(builder);
  const parser = parse({
    ...CSV_OPTIONS,
    on_record: (record: string[], info: { lines: number; records: number; bytes: number }) => {
      onRecord(record, info);
      if (info.records === SAMPLE_ROWS + 1) builder.expectRows(Math.ceil((size / info.bytes) * SAMPLE_ROWS * 1.02) + 16);
      return null;
    },
  });
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    await new Promise<void>((resolve, reject) => {
      file.on('error', (error) => reject(fileError('could not read', path, error)));
      parser.on('error', reject);
      parser.on('end', resolve);
      file.pipe(parser);
      parser.resume(); // records never leave the parser (on_record keeps none), so nothing is read downstream
    });
  } catch (error) {
    throw error instanceof MlpxError ? error : csvError(error, path);
  } finally {
    file.destroy();
  }
  return builder.finish();
}
