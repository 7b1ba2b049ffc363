// Draws the evaluation report's charts as inline SVG strings: no library, no network, opens anywhere.

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface LineSeries {
  readonly name: string;
  readonly points: readonly Point[];
  readonly color: string;
  readonly dashed?: boolean;
}

export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  /** Draw x on a log10 scale from this lower bound to 1: the low false-positive region matters most. */
  readonly logXFrom?: number;
  /** Highlighted operating points, labelled. */
  readonly markers?: readonly (Point & { readonly label: string })[];
}

const width = 560;
const height = 400;
const margin = { top: 36, right: 20, bottom: 52, left: 62 };
const plotWidth = width - margin.left - margin.right;
const plotHeight = height - margin.top - margin.bottom;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/0$/, '');
}

function frame(title: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
    `role="img" aria-label="${escapeHtml(title)}"><rect width="${width}" height="${height}" fill="#fff"/>` +
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeHtml(title)}</text>` +
    `${body}</svg>`
  );
}

function axisLabels(xLabel: string, yLabel: string): string {
  const x = margin.left + plotWidth / 2;
  const y = margin.top + plotHeight / 2;
  return (
    `<text x="${x}" y="${height - 12}" text-anchor="middle" font-size="13">${escapeHtml(xLabel)}</text>` +
    `<text x="16" y="${y}" text-anchor="middle" font-size="13" transform="rotate(-90 16 ${y})">${escapeHtml(yLabel)}</text>`
  );
}

/** A line chart on the unit square (curves of rates), optionally with a log x axis. */
export function lineChart(options: LineChartOptions): string {
  const logFrom = options.logXFrom;
  const xScale = (x: number): number => {
    const share =
      logFrom === undefined ? x : (Math.log10(Math.max(x, logFrom)) - Math.log10(logFrom)) / -Math.log10(logFrom);
    return margin.left + share * plotWidth;
  };
  const yScale = (y: number): number => margin.top + (1 - y) * plotHeight;
  const xTicks =
    logFrom === undefined
      ? [0, 0.2, 0.4, 0.6, 0.8, 1]
      : Array.from({ length: Math.round(-Math.log10(logFrom)) + 1 }, (_, index) => logFrom * 10 ** index);
  let body = '';
  for (const tick of xTicks) {
    const x = xScale(tick);
    const label = logFrom === undefined ? format(tick) : `${+(tick * 100).toPrecision(1)}%`;
    body += `<line x1="${x}" y1="${margin.top}" x2="${x}" y2="${margin.top + plotHeight}" stroke="#e5e7eb"/>`;
    body += `<text x="${x}" y="${margin.top + plotHeight + 18}" text-anchor="middle" font-size="11">${label}</text>`;
  }
  for (const tick of [0, 0.2, 0.4, 0.6, 0.8, 1]) {
    const y = yScale(tick);
    body += `<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotWidth}" y2="${y}" stroke="#e5e7eb"/>`;
    body += `<text x="${margin.left - 8}" y="${y + 4}" text-anchor="end" font-size="11">${format(tick)}</text>`;
  }
  body += `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#9ca3af"/>`;
  options.series.forEach((series, index) => {
    const path = thin(series.points)
      .map((point, at) => `${at === 0 ? 'M' : 'L'}${xScale(point.x).toFixed(1)},${yScale(point.y).toFixed(1)}`)
      .join('');
    const dash = series.dashed ? ' stroke-dasharray="5 4"' : '';
    body += `<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2"${dash}/>`;
    const legendY = margin.top + plotHeight - 14 - index * 18;
    const legendX = margin.left + plotWidth - 190;
    body += `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 22}" y2="${legendY}" stroke="${series.color}" stroke-width="2"${dash}/>`;
    body += `<text x="${legendX + 28}" y="${legendY + 4}" font-size="12">${escapeHtml(series.name)}</text>`;
  });
  for (const marker of options.markers ?? []) {
    const x = xScale(marker.x);
    const y = yScale(marker.y);
    body += `<circle cx="${x}" cy="${y}" r="4" fill="#111827"/>`;
    body += `<text x="${x + 7}" y="${y - 7}" font-size="11">${escapeHtml(marker.label)}</text>`;
  }
  return frame(options.title, body + axisLabels(options.xLabel, options.yLabel));
}

/** Keeps a curve's shape with at most ~600 points: a point is kept once it moved 1/600 in x or y. */
function thin(points: readonly Point[]): Point[] {
  const kept: Point[] = [];
  let last: Point | undefined;
  for (const [index, point] of points.entries()) {
    const isEnd = index === 0 || index === points.length - 1;
    if (isEnd || !last || Math.abs(point.x - last.x) + Math.abs(point.y - last.y) >= 1 / 600) {
      kept.push(point);
      last = point;
    }
  }
  return kept;
}

export interface HistogramSeries {
  readonly name: string;
  readonly values: ArrayLike<number>;
  readonly color: string;
}

/** Overlaid histograms of shares per bin, so a rare class is as visible as a common one. */
export function histogramChart(options: {
  readonly title: string;
  readonly xLabel: string;
  readonly series: readonly HistogramSeries[];
  readonly bins?: number;
}): string {
  const binCount = options.bins ?? 40;
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const series of options.series) {
    for (let index = 0; index < series.values.length; index++) {
      low = Math.min(low, series.values[index]!);
      high = Math.max(high, series.values[index]!);
    }
  }
  // Scores are usually probabilities: keep the familiar 0..1 axis when they fit in it.
  if (low >= 0 && high <= 1) [low, high] = [0, 1];
  if (!(high > low)) [low, high] = [Number.isFinite(low) ? low - 0.5 : 0, Number.isFinite(low) ? low + 0.5 : 1];
  const shares = options.series.map((series) => {
    const counts = new Array<number>(binCount).fill(0);
    for (let index = 0; index < series.values.length; index++) {
      const bin = Math.min(binCount - 1, Math.floor(((series.values[index]! - low) / (high - low)) * binCount));
      counts[bin]!++;
    }
    return counts.map((count) => (series.values.length === 0 ? 0 : count / series.values.length));
  });
  const top = Math.max(0.01, ...shares.flat());
  const barWidth = plotWidth / binCount;
  let body = `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#9ca3af"/>`;
  for (let tick = 0; tick <= 4; tick++) {
    const value = (top * tick) / 4;
    const y = margin.top + plotHeight - (value / top) * plotHeight;
    body += `<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotWidth}" y2="${y}" stroke="#e5e7eb"/>`;
    body += `<text x="${margin.left - 8}" y="${y + 4}" text-anchor="end" font-size="11">${(value * 100).toFixed(0)}%</text>`;
  }
  for (let tick = 0; tick <= 5; tick++) {
    const x = margin.left + (tick / 5) * plotWidth;
    const label = low + ((high - low) * tick) / 5;
    body += `<text x="${x}" y="${margin.top + plotHeight + 18}" text-anchor="middle" font-size="11">${+label.toPrecision(3)}</text>`;
  }
  options.series.forEach((series, seriesIndex) => {
    shares[seriesIndex]!.forEach((share, bin) => {
      if (share === 0) return;
      const barHeight = (share / top) * plotHeight;
      const x = margin.left + bin * barWidth;
      body += `<rect x="${x.toFixed(1)}" y="${(margin.top + plotHeight - barHeight).toFixed(1)}" width="${(barWidth - 1).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${series.color}" fill-opacity="0.55"/>`;
    });
    const legendY = margin.top + 16 + seriesIndex * 18;
    const legendX = margin.left + plotWidth - 200;
    body += `<rect x="${legendX}" y="${legendY - 9}" width="14" height="12" fill="${series.color}" fill-opacity="0.55"/>`;
    body += `<text x="${legendX + 20}" y="${legendY + 2}" font-size="12">${escapeHtml(`${series.name} (n = ${series.values.length})`)}</text>`;
  });
  return frame(options.title, body + axisLabels(options.xLabel, 'share of class'));
}

/** Horizontal bars, largest first, with the feature name on the left. */
export function barChart(options: {
  readonly title: string;
  readonly xLabel: string;
  readonly bars: readonly { readonly label: string; readonly value: number }[];
}): string {
  const labelWidth = 230;
  const rowHeight = 20;
  const chartHeight = Math.max(120, 70 + options.bars.length * rowHeight);
  const barArea = width - labelWidth - 70;
  const top = Math.max(Number.MIN_VALUE, ...options.bars.map((bar) => bar.value));
  let body = '';
  options.bars.forEach((bar, index) => {
    const y = 44 + index * rowHeight;
    const barLength = (Math.max(0, bar.value) / top) * barArea;
    const label = bar.label.length > 34 ? `${bar.label.slice(0, 33)}…` : bar.label;
    body += `<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end" font-size="12">${escapeHtml(label)}</text>`;
    body += `<rect x="${labelWidth}" y="${y + 2}" width="${barLength.toFixed(1)}" height="${rowHeight - 5}" fill="#2563eb"/>`;
    body += `<text x="${labelWidth + barLength + 6}" y="${y + 13}" font-size="11">${+bar.value.toPrecision(3)}</text>`;
  });
  body += `<text x="${labelWidth + barArea / 2}" y="${chartHeight - 10}" text-anchor="middle" font-size="13">${escapeHtml(options.xLabel)}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${chartHeight}" width="${width}" height="${chartHeight}" ` +
    `role="img" aria-label="${escapeHtml(options.title)}"><rect width="${width}" height="${chartHeight}" fill="#fff"/>` +
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeHtml(options.title)}</text>` +
    `${body}</svg>`
  );
}
