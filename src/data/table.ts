// Tabular data from text records (a CSV's header and rows, as a parser yields them one at a time)
// into a features matrix and a target, without keeping the text: values go straight into
// growing typed arrays. Every refusal is a DataError naming the source, the row and the column.
import { DataError } from '../util/errors.js';

export interface TableOptions {
  /** the target column (omit to read features only, as for prediction) */
  target?: string;
  /** feature columns in this order (default: every column but the target) */
  features?: readonly string[];
  /**
   * How to read the target: 'auto' (default) reads class names when any target value is not a
   * number, else numbers (regression); 'classes' reads class names even when they look numeric.
   */
  targetKind?: 'auto' | 'classes' | 'numbers';
}

export interface Table {
  /** rows × features.length, row-major */
  x: Float32Array;
  rows: number;
  features: string[];
  target: string | null;
  /** numeric targets (regression; rows values), class indices into `classes`, or null without a target */
  y: Float32Array | Int32Array | null;
  /** sorted class names (numerically when they are all numbers), or null for numeric targets */
  classes: string[] | null;
}

/** More distinct target values than this is not a classification problem mlpx can hold. */
export const MAX_CLASSES = 65_536;

const ROWS_AT_FIRST = 1024;

/** A Float32Array that grows by half when full; `view()` is the filled part. */
class Growing<T extends Float32Array | Int32Array> {
  length = 0;
  constructor(public data: T, private readonly make: (n: number) => T) {}
  reserve(total: number): void {
    if (total <= this.data.length) return;
    const next = this.make(Math.max(total, Math.ceil(this.data.length * 1.5)));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  /** the filled part, copied to its own buffer when the spare capacity is large */
  view(): T {
    const used = this.data.subarray(0, this.length) as T;
    return this.data.length - this.length > this.data.length / 8 ? (used.slice() as T) : used;
  }
}

export class TableBuilder {
  #columns: string[] | null = null;
  #featureIndex: number[] = [];
  #targetIndex = -1;
  #rows = 0;
  readonly #x: Growing<Float32Array>;
  #width = 0;
  /** every target value as a number while they all are numbers */
  #numbers: Growing<Float32Array> | null = new Growing(new Float32Array(ROWS_AT_FIRST), (n) => new Float32Array(n));
  /** every target value's index in order of first appearance */
  readonly #labels = new Growing(new Int32Array(ROWS_AT_FIRST), (n) => new Int32Array(n));
  readonly #names = new Map<string, number>();
  #tooManyNames = false;

  constructor(readonly source: string, readonly options: TableOptions = {}) {
    this.#x = new Growing(new Float32Array(0), (n) => new Float32Array(n));
  }

  get rows(): number {
    return this.#rows;
  }

  /** Room for about `rows` rows in total (a hint from the file size), so growing copies less. */
  expectRows(rows: number): void {
    if (this.#columns === null) return;
    this.#x.reserve(rows * this.#width);
    this.#labels.reserve(rows);
    this.#numbers?.reserve(rows);
  }

  /** The header: the first record. */
  header(names: readonly string[]): void {
    const columns = names.map((n) => n.trim());
    const fail = (what: string): never => {
      throw new DataError(`${this.source}: ${what}`);
    };
    if (columns.length === 0 || (columns.length === 1 && columns[0] === '')) fail('the header row is empty');
    columns.forEach((name, i) => {
      if (name === '') fail(`header column ${i + 1} has no name`);
      if (columns.indexOf(name) !== i) fail(`header names column '${name}' twice (columns ${columns.indexOf(name) + 1} and ${i + 1})`);
    });
    const list = `the columns are ${columns.map((c) => `'${c}'`).join(', ')}`;
    const { target, features } = this.options;
    if (target !== undefined) {
      this.#targetIndex = columns.indexOf(target);
      if (this.#targetIndex < 0) fail(`target column '${target}' not found; ${list}`);
    }
    const chosen = features ?? columns.filter((_, i) => i !== this.#targetIndex);
    if (chosen.length === 0) fail(`no feature columns (${list})`);
    this.#featureIndex = chosen.map((name) => {
      const at = columns.indexOf(name);
      if (at < 0) fail(`feature column '${name}' not found; ${list}`);
      if (at === this.#targetIndex) fail(`column '${name}' is the target; it cannot be a feature too`);
      return at;
    });
    this.#columns = columns;
    this.#width = chosen.length;
    this.#x.reserve(ROWS_AT_FIRST * this.#width);
  }

  /** One data record; `line` is its line in the file (for messages). */
  row(cells: readonly string[], line: number): void {
    const columns = this.#columns!;
    const row = this.#rows + 1;
    const where = (column: number) => `${this.source}: row ${row} (line ${line}), column '${columns[column]}'`;
    if (cells.length !== columns.length) {
      throw new DataError(`${this.source}: row ${row} (line ${line}) has ${cells.length} field${cells.length === 1 ? '' : 's'}; the header has ${columns.length}`);
    }
    const x = this.#x;
    x.reserve(x.length + this.#width);
    const data = x.data;
    let at = x.length;
    for (const column of this.#featureIndex) data[at++] = readNumber(cells[column]!, where, column);
    x.length = at;
    if (this.#targetIndex >= 0) this.#addTarget(cells[this.#targetIndex]!.trim(), where);
    this.#rows = row;
  }

  #addTarget(cell: string, where: (column: number) => string): void {
    if (cell === '') throw new DataError(`${where(this.#targetIndex)}: the target is empty`);
    if (this.#numbers !== null) {
      const value = Number(cell);
      if (Number.isFinite(value) && !isRadixLiteral(cell)) {
        this.#numbers.reserve(this.#numbers.length + 1);
        this.#numbers.data[this.#numbers.length++] = value;
      } else if (/^[+-]?(nan|inf(inity)?)$/i.test(cell)) {
        throw new DataError(`${where(this.#targetIndex)}: the target is ${cell}`);
      } else {
        this.#numbers = null; // a class name: the column holds names
      }
    }
    if (this.#tooManyNames) return;
    let index = this.#names.get(cell);
    if (index === undefined) {
      if (this.#names.size === MAX_CLASSES) {
        this.#tooManyNames = true;
        return;
      }
      index = this.#names.size;
      this.#names.set(cell, index);
    }
    this.#labels.reserve(this.#labels.length + 1);
    this.#labels.data[this.#labels.length++] = index;
  }

  finish(): Table {
    if (this.#columns === null) throw new DataError(`${this.source}: the file is empty (no header row)`);
    if (this.#rows === 0) throw new DataError(`${this.source}: the header has no data rows after it`);
    const base = { x: this.#x.view(), rows: this.#rows, features: this.#featureIndex.map((i) => this.#columns![i]!) };
    if (this.#targetIndex < 0) return { ...base, target: null, y: null, classes: null };
    const target = this.#columns[this.#targetIndex]!;
    const kind = this.options.targetKind ?? 'auto';
    if (kind === 'numbers' || (kind === 'auto' && this.#numbers !== null)) {
      if (this.#numbers === null) throw new DataError(`${this.source}: target column '${target}' holds names, not numbers`);
      return { ...base, target, y: this.#numbers.view(), classes: null };
    }
    if (this.#tooManyNames) throw new DataError(`${this.source}: target column '${target}' has more than ${MAX_CLASSES} distinct values; that is not a set of class names`);
    if (this.#names.size < 2) throw new DataError(`${this.source}: target column '${target}' has only one class ('${[...this.#names.keys()][0]}'); a classifier needs two or more`);
    // classes in a stable order independent of row order: numerically when they are all numbers
    const names = [...this.#names.keys()];
    const numeric = names.every((n) => Number.isFinite(Number(n)));
    const sorted = [...names].sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const rank = new Int32Array(names.length);
    sorted.forEach((name, i) => (rank[this.#names.get(name)!] = i));
    const labels = this.#labels.view();
    for (let i = 0; i < labels.length; i++) labels[i] = rank[labels[i]!]!;
    return { ...base, target, y: labels, classes: sorted };
  }
}

/** A feature cell as a finite number, or a DataError that says what the cell holds. */
function readNumber(cell: string, where: (column: number) => string, column: number): number {
  const value = Number(cell);
  // the common case allocates nothing: Number('') and Number(' ') are 0, so only 0 needs the trim
  if (Number.isFinite(value) && !isRadixLiteral(cell) && (value !== 0 || cell.trim() !== '')) return value;
  const text = cell.trim();
  if (text === '') throw new DataError(`${where(column)}: the cell is empty`);
  if (/^[+-]?nan$/i.test(text)) throw new DataError(`${where(column)}: the value is NaN`);
  if (/^[+-]?inf(inity)?$/i.test(text)) throw new DataError(`${where(column)}: the value is ${text} (not finite)`);
  throw new DataError(`${where(column)}: '${text.length > 40 ? text.slice(0, 40) + '…' : text}' is not a number`);
}

/** Number() reads 0x1f, 0b101 and 0o17; in a CSV they are text. */
function isRadixLiteral(cell: string): boolean {
  let i = 0;
  while (cell.charCodeAt(i) <= 32) i++; // leading white space, which Number() skips
  const letter = cell.charCodeAt(i + 1) | 32; // lower case
  return cell.charCodeAt(i) === 48 && (letter === 120 || letter === 98 || letter === 111); // 0x, 0b, 0o
}
