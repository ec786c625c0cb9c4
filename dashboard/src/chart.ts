import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface SeriesPoint {
  /** `YYYY-MM-DD` or `YYYY-MM-DDTHH`, already local to the report's time zone. */
  readonly bucket: string;
  readonly visits: number;
  readonly conversions: number;
}

const HEIGHT = 260;

/** Bucket labels are local times already; reading them as UTC keeps uPlot from shifting them again. */
const asUtcSeconds = (bucket: string) => Date.parse(bucket.length === 10 ? `${bucket}T00:00:00Z` : `${bucket}:00:00Z`) / 1000;

/** Visits (left axis) and conversions (right axis) over time. */
export class VisitsChart {
  private plot?: uPlot;

  constructor(private readonly container: HTMLElement) {
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT })).observe(container);
  }

  show(points: readonly SeriesPoint[], unit: 'day' | 'hour'): void {
    const data: uPlot.AlignedData = [points.map((p) => asUtcSeconds(p.bucket)), points.map((p) => p.visits), points.map((p) => p.conversions)];
    // Ticks on whole buckets only: a day chart has no use for "4pm".
    const time: uPlot.Axis =
      unit === 'day'
        ? { incrs: [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 28 * 86_400], values: (_, ticks) => ticks.map((t) => new Date(t * 1000).toISOString().slice(5, 10)) }
        : { incrs: [3_600, 2 * 3_600, 3 * 3_600, 6 * 3_600], values: (_, ticks) => ticks.map((t) => `${new Date(t * 1000).toISOString().slice(11, 13)}:00`) };
    this.plot?.destroy();
    this.plot = new uPlot(
      {
        width: this.width(),
        height: HEIGHT,
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
        scales: { conversions: {} },
        series: [
          {},
          { label: 'Visits', stroke: '#2563eb', fill: 'rgba(37, 99, 235, 0.08)', width: 2 },
          { label: 'Conversions', stroke: '#16a34a', width: 2, scale: 'conversions' },
        ],
        axes: [time, { label: 'Visits' }, { label: 'Conversions', scale: 'conversions', side: 1, grid: { show: false } }],
      },
      data,
      this.container,
    );
  }

  private width(): number {
    return Math.max(320, this.container.clientWidth);
  }
}
