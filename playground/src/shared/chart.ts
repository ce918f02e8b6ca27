// Line charts with uPlot: a fixed set of series over a shared x axis, resized with their
// container, redrawn with whole new data (uPlot draws 10,000 points in well under a frame).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface SeriesSpec {
  label: string;
  color: string;
  dash?: number[];
  /** draw points only (e.g. the steps of an optimizer), no line */
  pointsOnly?: boolean;
  width?: number;
  /** join the points across missing values (a series measured less often than the x axis) */
  spanGaps?: boolean;
  /** drawn against the second y axis (ChartSpec.y2Label) */
  secondAxis?: boolean;
  /** mark each value with a dot as well (a series with few values) */
  markers?: boolean;
}

export interface ChartSpec {
  xLabel: string;
  yLabel: string;
  /** a second y axis, on the right, for the series marked secondAxis */
  y2Label?: string;
  series: SeriesSpec[];
  logY?: boolean;
  logX?: boolean;
  height?: number;
  /** fixed x range; default: the data's */
  xRange?: [number, number];
  yRange?: [number, number];
}

export interface LineChart {
  /** x values and one array per series (null for a gap) */
  set(x: ArrayLike<number>, ys: ArrayLike<number | null>[]): void;
  readonly plot: uPlot;
}

/** Tick labels that stay readable from 1e−7 to 1e6 (uPlot's own round small values to 0). */
function tick(v: number | null): string {
  if (v === null) return ''; // uPlot passes null for the ticks it leaves unlabelled
  if (v === 0) return '0';
  const size = Math.abs(v);
  return size >= 1e-3 && size < 1e5 ? String(Number(v.toPrecision(4))) : v.toExponential(0);
}

/** uPlot's own y range, or a placeholder one while there is no data (a log scale has none of its own then). */
function yRange(log: boolean): uPlot.Range.Function {
  return (_u, min, max) => {
    if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return log ? [0.01, 1] : [0, 1];
    return log ? uPlot.rangeLog(min, max, 10, true) : uPlot.rangeNum(min, max, 0.1, true);
  };
}

export function lineChart(root: HTMLElement, spec: ChartSpec): LineChart {
  const options: uPlot.Options = {
    width: Math.max(200, root.clientWidth),
    height: spec.height ?? 220,
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    scales: {
      x: { time: false, distr: spec.logX ? 3 : 1, ...(spec.xRange ? { range: spec.xRange } : {}) },
      y: { distr: spec.logY ? 3 : 1, range: spec.yRange ?? yRange(spec.logY === true) },
      y2: {},
    },
    axes: [
      { label: spec.xLabel, size: 40, labelSize: 16, values: (_u, splits) => splits.map(tick) },
      { label: spec.yLabel, size: 60, labelSize: 16, values: (_u, splits) => splits.map(tick) },
      ...(spec.y2Label === undefined ? [] : [{ label: spec.y2Label, scale: 'y2', side: 1 as const, size: 60, labelSize: 16, grid: { show: false }, values: (_u: uPlot, splits: number[]) => splits.map(tick) }]),
    ],
    series: [
      { label: spec.xLabel },
      ...spec.series.map((s): uPlot.Series => ({
        label: s.label,
        scale: s.secondAxis ? 'y2' : 'y',
        stroke: s.color,
        width: s.pointsOnly ? 0 : s.width ?? 2,
        dash: s.dash,
        points: s.pointsOnly || s.markers ? { show: true, size: s.pointsOnly ? 7 : 5, fill: s.color, stroke: s.color } : { show: false },
        paths: s.pointsOnly ? () => null : undefined,
        spanGaps: s.spanGaps ?? false,
      })),
    ],
  };
  const empty: uPlot.AlignedData = [[], ...spec.series.map(() => [])];
  const plot = new uPlot(options, empty, root);
  new ResizeObserver(() => {
    const width = Math.max(200, root.clientWidth);
    if (width !== plot.width) plot.setSize({ width, height: spec.height ?? 220 });
  }).observe(root);
  return {
    plot,
    set(x, ys) {
      // log scales cannot show values ≤ 0: leave a gap there
      const clean = (v: number | null) => (v === null || !Number.isFinite(v) || (spec.logY && v <= 0) ? null : v);
      plot.setData([Array.from(x), ...ys.map((y) => Array.from(y, clean))] as uPlot.AlignedData);
    },
  };
}
