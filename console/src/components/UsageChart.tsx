import type { ApiKeyUsageDay } from "@keyward/sdk";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { dateOnly } from "../format.ts";

const HEIGHT = 220;
const LEFT = 44;
const BOTTOM = 28;
const TOP = 10;

/**
 * Requests per day as an SVG bar chart readable without colour: labelled axes, a `<title>`
 * on every bar (hover, and screen readers), and the same numbers in a table for screen readers.
 */
export function UsageChart({ days, label }: { days: ApiKeyUsageDay[]; label: string }) {
  const titleId = useId();
  // Drawn at the width it is shown at, so the axis labels stay readable on a phone.
  const figure = useRef<HTMLElement>(null);
  const [WIDTH, setWidth] = useState(720);
  useEffect(() => {
    const element = figure.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => entry && setWidth(Math.max(280, Math.round(entry.contentRect.width))));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const max = Math.max(1, ...days.map((day) => day.requests));
  const top = niceCeiling(max);
  const plotWidth = WIDTH - LEFT - 8;
  const plotHeight = HEIGHT - BOTTOM - TOP;
  const slot = plotWidth / Math.max(1, days.length);
  const barWidth = Math.max(1, slot * 0.7);
  const ticks = [0, top / 2, top];
  const labelled = days.length > 0 ? [0, Math.floor((days.length - 1) / 2), days.length - 1] : [];
  const total = days.reduce((sum, day) => sum + day.requests, 0);
  return (
    <figure class="chart" ref={figure}>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={titleId} preserveAspectRatio="xMidYMid meet">
        <title id={titleId}>{`${label}: ${total} requests in all, at most ${max} in a day`}</title>
        {ticks.map((tick) => {
          const y = TOP + plotHeight - (tick / top) * plotHeight;
          return (
            <g class="tick">
              <line x1={LEFT} x2={WIDTH - 8} y1={y} y2={y} class="grid" />
              <text x={LEFT - 6} y={y + 4} text-anchor="end">
                {Number.isInteger(tick) ? tick : tick.toFixed(1)}
              </text>
            </g>
          );
        })}
        {days.map((day, index) => {
          const height = (day.requests / top) * plotHeight;
          return (
            <rect class="bar" x={LEFT + index * slot + (slot - barWidth) / 2} y={TOP + plotHeight - height} width={barWidth} height={Math.max(height, day.requests ? 1 : 0)}>
              <title>{`${day.date}: ${day.requests} ${day.requests === 1 ? "request" : "requests"}`}</title>
            </rect>
          );
        })}
        <line x1={LEFT} x2={WIDTH - 8} y1={TOP + plotHeight} y2={TOP + plotHeight} class="axis" />
        {labelled.map((index) => (
          <text x={LEFT + index * slot + slot / 2} y={HEIGHT - 8} text-anchor={index === 0 ? "start" : index === days.length - 1 ? "end" : "middle"}>
            {dateOnly(`${days[index]!.date}T12:00:00Z`)}
          </text>
        ))}
      </svg>
      <figcaption class="muted">Requests per day (UTC). Hover a bar for its count.</figcaption>
      <div class="visually-hidden">
      <table>
        <caption>{label}</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Requests</th>
          </tr>
        </thead>
        <tbody>
          {days.map((day) => (
            <tr>
              <th scope="row">{day.date}</th>
              <td>{day.requests}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </figure>
  );
}

function niceCeiling(value: number): number {
  if (value <= 4) return value <= 1 ? 1 : value <= 2 ? 2 : 4;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}
