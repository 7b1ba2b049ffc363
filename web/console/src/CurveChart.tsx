// A small SVG line chart for ROC and precision-recall curves: champion and challenger drawn on the same axes.
interface Point {
  x: number;
  y: number;
}

const size = 220;
const pad = 28;
const scale = (value: number) => pad + value * (size - 2 * pad);
const path = (points: readonly Point[]) =>
  points.map((point) => `${scale(point.x).toFixed(1)},${(size - scale(point.y)).toFixed(1)}`).join(' ');

export function CurveChart(props: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: { name: string; colour: string; points: readonly Point[] }[];
}) {
  return (
    <figure className="curve">
      <svg width={size} height={size} role="img" aria-label={props.title}>
        <rect x={pad} y={pad} width={size - 2 * pad} height={size - 2 * pad} fill="#fff" stroke="#ccc" />
        {props.series.map((line) => (
          <polyline
            key={line.name}
            points={path(line.points)}
            fill="none"
            stroke={line.colour}
            strokeWidth={2}
            data-series={line.name}
          />
        ))}
        <text x={size / 2} y={size - 6} textAnchor="middle" fontSize={10}>
          {props.xLabel}
        </text>
        <text x={10} y={size / 2} textAnchor="middle" fontSize={10} transform={`rotate(-90 10 ${size / 2})`}>
          {props.yLabel}
        </text>
      </svg>
      <figcaption>
        {props.title}:{' '}
        {props.series.map((line) => (
          <span key={line.name} style={{ color: line.colour }}>
            {line.name}{' '}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
