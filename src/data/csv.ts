// CSV text → Table through csv-parse (RFC 4180: quoted fields, CRLF or LF, a BOM, empty lines
// skipped). The parser hands over one record at a time and keeps nothing; the TableBuilder turns
// each into numbers at once. parseCsv reads a string in memory (browser or Node); readCsvFile
// (csv-file.ts, Node) streams a file of any size through the same steps.
import { DataError, invalidArgument, MlpxError } from '../util/errors.js';
import { TableBuilder, type Table, type TableOptions } from './table.js';

/** The csv-parse options both readers use; rows of the wrong length are reported by the TableBuilder. */
export const CSV_OPTIONS = { bom: true, skip_empty_lines: true, relax_column_count: true } as const;

interface RecordInfo { lines: number; records: number }
type SyncParse = (input: string, options: typeof CSV_OPTIONS & { on_record: (record: string[], info: RecordInfo) => null }) => unknown;

let loadParser: (() => Promise<SyncParse>) | undefined;

/** The entry points register csv-parse's build for their platform (Node's, or the browser's with its own Buffer). */
export function registerCsvParser(load: () => Promise<SyncParse>): void {
  loadParser = load;
}

/** Feeds csv-parse's records to a TableBuilder: the first is the header. */
export function recordHandler(builder: TableBuilder): (record: string[], info: RecordInfo) => null {
  return (record, info) => {
    if (info.records === 1) builder.header(record);
    else builder.row(record, info.lines);
    return null; // keep nothing: the builder has the values
  };
}

/** A csv-parse error (unclosed quote, …) as a DataError naming the source and line; others unchanged. */
export function csvError(error: unknown, source: string): unknown {
  if (error instanceof MlpxError || !(error instanceof Error) || !('code' in error) || !String(error.code).startsWith('CSV_')) return error;
  const line = (error as { lines?: number }).lines;
  return new DataError(`${source}: ${line === undefined ? '' : `line ${line}: `}${error.message}`);
}

/** Parse CSV text (a header, then rows) into features and, with `target`, targets. */
export async function parseCsv(text: string, options: TableOptions & { source?: string } = {}): Promise<Table> {
  if (typeof text !== 'string') throw invalidArgument('text', 'CSV text (a string)', text);
  const { source = 'CSV text', ...table } = options;
  if (loadParser === undefined) throw new MlpxError('no CSV parser registered (import mlpx through its package entry point)');
  const parse = await loadParser();
  const builder = new TableBuilder(source, table);
  try {
    parse(text, { ...CSV_OPTIONS, on_record: recordHandler(builder) });
  } catch (error) {
    throw csvError(error, source);
  }
  return builder.finish();
}
