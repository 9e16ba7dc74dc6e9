import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface HourCounts {
  /** ISO start of the hour. */
  start: string;
  succeeded: number;
  failed: number;
}

const HEIGHT = 160;
const SUCCESS = '#17b26a';
const FAILURE = '#d92d20';
/** Attempts come whole: the y axis never steps by a fraction of one. */
const WHOLE_STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 1_000_000,
];

/**
 * Attempts per hour as stacked bars, succeeded below failed. uPlot does not stack: the failed series
 * is drawn as each hour's total, and the succeeded one over it from zero.
 */
export default function AttemptsChart({ hours, label }: { hours: readonly HourCounts[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);

  const data: uPlot.AlignedData = [
    hours.map((hour) => Date.parse(hour.start) / 1000),
    hours.map((hour) => hour.succeeded + hour.failed),
    hours.map((hour) => hour.succeeded),
  ];

  // Created once; later answers only replace its data, so a poll does not rebuild the chart.
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const bars = uPlot.paths.bars?.({ size: [0.7, 40], align: 0 });
    const plot = new uPlot(
      {
        width: Math.max(element.clientWidth, 200),
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          { stroke: '#667085', grid: { show: false }, size: 28 },
          { stroke: '#667085', grid: { stroke: '#e4e7ec' }, size: 44, incrs: WHOLE_STEPS },
        ],
        series: [
          {},
          { label: 'Failed', fill: FAILURE, stroke: FAILURE, width: 0, paths: bars, points: { show: false } },
          {
            label: 'Succeeded',
            fill: SUCCESS,
            stroke: SUCCESS,
            width: 0,
            paths: bars,
            points: { show: false },
          },
        ],
      },
      [[], [], []],
      element,
    );
    chart.current = plot;
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(element.clientWidth, 200), height: HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, []);

  const signature = JSON.stringify(hours);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `signature` stands for `data`, rebuilt each render.
  useEffect(() => {
    chart.current?.setData(data);
  }, [signature]);

  return <div ref={box} className="attempts-chart" role="img" aria-label={label} />;
}
