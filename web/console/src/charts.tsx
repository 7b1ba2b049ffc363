// Small hand-drawn SVG charts for live monitoring: lines over time, paired bars, and horizontal bars with a baseline.
// Drawn here rather than by a chart library: a few hundred lines of SVG are cheaper than a dependency to keep current.

export const outcomeColours: Record<string, string> = {
  approved: '#2e7d32',
  step_up: '#ef6c00',
  review: '#1565c0',
  declined: '#b3261e',
  last_week: '#777',
};

const width = 640;

export interface LineSeries {
  readonly name: string;
  readonly colour: string;
  readonly values: readonly number[];
  readonly dashed?: boolean;
}

/** Lines over equally spaced points (minutes), with the last label of the x axis and the y maximum. */
export function LineChart(props: { title: string; series: readonly LineSeries[]; labels: readonly string[] }) {
  const height = 200;
  const padding = { left: 36, right: 8, top: 8, bottom: 22 };
  const count = Math.max(1, ...props.series.map((series) => series.values.length));
  const maximum = Math.max(1, ...props.series.flatMap((series) => series.values));
  const x = (index: number) => padding.left + (index * (width - padding.left - padding.right)) / Math.max(1, count - 1);
  const y = (value: number) => height - padding.bottom - (value * (height - padding.top - padding.bottom)) / maximum;
  return (
    <figure className="chart" data-chart={props.title}>
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.title}>
        <line x1={padding.left} x2={width - padding.right} y1={y(0)} y2={y(0)} stroke="#bbb" />
        <text x={padding.left - 4} y={y(maximum) + 4} textAnchor="end" fontSize="11">
          {maximum}
        </text>
        <text x={padding.left - 4} y={y(0)} textAnchor="end" fontSize="11">
          0
        </text>
        <text x={padding.left} y={height - 4} fontSize="11">
          {props.labels[0] ?? ''}
        </text>
        <text x={width - padding.right} y={height - 4} textAnchor="end" fontSize="11">
          {props.labels.at(-1) ?? ''}
        </text>
        {props.series.map((series) => (
          <polyline
            key={series.name}
            data-series={series.name}
            fill="none"
            stroke={series.colour}
            strokeWidth={2}
            strokeDasharray={series.dashed ? '5 4' : undefined}
            points={series.values.map((value, index) => `${x(index)},${y(value)}`).join(' ')}
          />
        ))}
      </svg>
      <Legend entries={props.series.map((series) => [series.name, series.colour])} />
    </figure>
  );
}

function Legend(props: { entries: readonly (readonly [string, string])[] }) {
  return (
    <ul className="legend">
      {props.entries.map(([name, colour]) => (
        <li key={name}>
          <span style={{ background: colour }} /> {name.replaceAll('_', ' ')}
        </li>
      ))}
    </ul>
  );
}

/** Two bars per bucket (now and last week), e.g. the score distribution. */
export function PairedBars(props: {
  title: string;
  buckets: readonly { label: string; now: number; before: number }[];
  nowName: string;
  beforeName: string;
}) {
  const height = 180;
  const bottom = 20;
  const maximum = Math.max(0.0001, ...props.buckets.flatMap((bucket) => [bucket.now, bucket.before]));
  const slot = width / Math.max(1, props.buckets.length);
  const bar = (slot - 6) / 2;
  const barHeight = (value: number) => (value * (height - bottom - 8)) / maximum;
  return (
    <figure className="chart" data-chart={props.title}>
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.title}>
        {props.buckets.map((bucket, index) => (
          <g key={bucket.label}>
            <rect
              x={index * slot + 2}
              y={height - bottom - barHeight(bucket.before)}
              width={bar}
              height={barHeight(bucket.before)}
              fill={outcomeColours.last_week}
            />
            <rect
              x={index * slot + 2 + bar}
              y={height - bottom - barHeight(bucket.now)}
              width={bar}
              height={barHeight(bucket.now)}
              fill="#1565c0"
            />
            <text x={index * slot + slot / 2} y={height - 5} textAnchor="middle" fontSize="11">
              {bucket.label}
            </text>
          </g>
        ))}
      </svg>
      <Legend
        entries={[
          [props.beforeName, outcomeColours.last_week!],
          [props.nowName, '#1565c0'],
        ]}
      />
    </figure>
  );
}

/** Horizontal bars with an optional baseline tick (last week) and a text after each bar. */
export function HorizontalBars(props: {
  title: string;
  rows: readonly { label: string; value: number; baseline?: number; text: string; warn?: boolean }[];
  maximum?: number;
  empty?: string;
}) {
  const rowHeight = 24;
  const labelWidth = 250;
  const textWidth = 170;
  const height = Math.max(1, props.rows.length) * rowHeight + 4;
  const maximum = props.maximum ?? Math.max(0.0001, ...props.rows.flatMap((row) => [row.value, row.baseline ?? 0]));
  const length = (value: number) => (value * (width - labelWidth - textWidth)) / maximum;
  return (
    <figure className="chart" data-chart={props.title}>
      <figcaption>{props.title}</figcaption>
      {props.rows.length === 0 ? (
        <p className="muted">{props.empty ?? 'Nothing yet.'}</p>
      ) : (
        <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.title}>
          {props.rows.map((row, index) => (
            <g key={row.label} data-row={row.label}>
              <text x={labelWidth - 6} y={index * rowHeight + 16} textAnchor="end" fontSize="11">
                {row.label}
              </text>
              <rect
                x={labelWidth}
                y={index * rowHeight + 4}
                width={Math.max(1, length(row.value))}
                height={rowHeight - 8}
                fill={row.warn ? '#b3261e' : '#1565c0'}
              />
              {row.baseline !== undefined && (
                <line
                  x1={labelWidth + length(row.baseline)}
                  x2={labelWidth + length(row.baseline)}
                  y1={index * rowHeight + 1}
                  y2={index * rowHeight + rowHeight - 1}
                  stroke="#333"
                  strokeWidth={2}
                />
              )}
              <text x={width - textWidth + 6} y={index * rowHeight + 16} fontSize="12">
                {row.text}
              </text>
            </g>
          ))}
        </svg>
      )}
    </figure>
  );
}
