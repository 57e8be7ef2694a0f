// The year's chart: two small panels drawn as SVG by hand (a few lines and labels need no
// library): the matcher's time per article against the events in its index, and each API
// request's p99 against the articles in the table, both on logarithmic x axes (and the p99s on
// a logarithmic y axis: they span milliseconds to seconds).

/** One line of a panel: its name, colour and points (x, y). */
export type ChartSeries = { name: string; colour: string; points: { x: number; y: number }[] };

export type YearChartInput = {
  title: string;
  matcher: ChartSeries[];
  api: ChartSeries[];
};

const WIDTH = 880;
const HEIGHT = 420;
const PANEL = { width: 340, height: 230, top: 60 };

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const fmt = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

/** "1k", "1.8M", "0.5": an axis label for a number. */
export function shortCount(value: number): string {
  if (value >= 1e6) return `${fmt(Math.round(value / 1e5) / 10)}M`;
  if (value >= 1e3) return `${fmt(Math.round(value / 1e2) / 10)}k`;
  return fmt(Math.round(value * 10) / 10);
}

/** A round step for about four ticks up to `max`: 1, 2 or 5 times a power of ten. */
function tickStep(max: number): number {
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  return ([1, 2, 5, 10].find((factor) => factor * power >= rough) ?? 10) * power;
}

type Axis = { at(value: number): number; ticks: number[] };

/** A logarithmic axis over `values` from `from` to `from + length` (ticks at each power of ten). */
function logAxis(values: number[], from: number, length: number, reversed: boolean): Axis {
  const logs = values.map((value) => Math.log10(value));
  const [low, high] = [Math.floor(Math.min(...logs)), Math.ceil(Math.max(...logs))];
  const span = Math.max(1, high - low);
  const at = (value: number) => {
    const share = (Math.log10(value) - low) / span;
    return reversed ? from + length - share * length : from + share * length;
  };
  return { at, ticks: Array.from({ length: span + 1 }, (_, k) => 10 ** (low + k)) };
}

/** A linear axis from zero to above the largest of `values`. */
function linearAxis(values: number[], from: number, length: number): Axis {
  const step = tickStep(Math.max(...values) || 1);
  const top = step * Math.ceil((Math.max(...values) * 1.1) / step);
  return {
    at: (value) => from + length - (value / top) * length,
    ticks: Array.from({ length: Math.round(top / step) + 1 }, (_, k) => k * step),
  };
}

/**
 * A panel at `left`: axes with their ticks (x logarithmic; y linear from zero, or logarithmic),
 * a line and dots per series (in x order), and a legend under it.
 */
function panel(left: number, heading: string, labels: { x: string; y: string }, series: ChartSeries[], logY: boolean): string {
  const shown = series.map((line) => ({
    ...line,
    points: line.points.filter((point) => point.x > 0 && point.y > 0 && Number.isFinite(point.y)).sort((a, b) => a.x - b.x),
  }));
  const points = shown.flatMap((line) => line.points);
  if (points.length === 0) return "";
  const { width, height, top } = PANEL;
  const x = logAxis(
    points.map((point) => point.x),
    left,
    width,
    false,
  );
  const ys = points.map((point) => point.y);
  const y = logY ? logAxis(ys, top, height, true) : linearAxis(ys, top, height);
  const bottom = top + height;
  const parts: string[] = [
    `<text x="${left}" y="${top - 24}" font-size="14" font-weight="bold">${escapeXml(heading)}</text>`,
    `<line x1="${left}" y1="${bottom}" x2="${left + width}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333"/>`,
    `<text x="${left + width / 2}" y="${bottom + 34}" font-size="12" text-anchor="middle">${escapeXml(labels.x)}</text>`,
    `<text x="${left - 52}" y="${top + height / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 ${left - 52} ${top + height / 2})">${escapeXml(labels.y)}</text>`,
  ];
  for (const tick of x.ticks) {
    parts.push(
      `<line x1="${x.at(tick)}" y1="${bottom}" x2="${x.at(tick)}" y2="${bottom + 5}" stroke="#333"/>`,
      `<text x="${x.at(tick)}" y="${bottom + 18}" font-size="11" text-anchor="middle">${shortCount(tick)}</text>`,
    );
  }
  for (const tick of y.ticks) {
    parts.push(
      `<line x1="${left - 5}" y1="${y.at(tick)}" x2="${left + width}" y2="${y.at(tick)}" stroke="#ddd"/>`,
      `<text x="${left - 8}" y="${y.at(tick) + 4}" font-size="11" text-anchor="end">${shortCount(tick)}</text>`,
    );
  }
  shown.forEach((line, index) => {
    const at = line.points.map((point) => `${x.at(point.x).toFixed(1)},${y.at(point.y).toFixed(1)}`);
    if (at.length > 1) parts.push(`<polyline fill="none" stroke="${line.colour}" stroke-width="2" points="${at.join(" ")}"/>`);
    for (const point of at) {
      const [cx, cy] = point.split(",");
      parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${line.colour}"/>`);
    }
    const legendY = bottom + 56 + index * 16;
    parts.push(
      `<rect x="${left}" y="${legendY - 9}" width="10" height="10" fill="${line.colour}"/>`,
      `<text x="${left + 16}" y="${legendY}" font-size="11">${escapeXml(line.name)}</text>`,
    );
  });
  return parts.join("\n");
}

/** The chart as an SVG document. */
export function renderYearChart(input: YearChartInput): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" role="img">`,
    `<title>${escapeXml(input.title)}: the matcher's time per article against the events in its index, and the API's p99 against the articles in the table</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="20" font-size="15" text-anchor="middle">${escapeXml(input.title)}</text>`,
    panel(80, "Matcher: time per article", { x: "events in the index", y: "µs per article" }, input.matcher, false),
    panel(510, "API p99, 50 connections, uncached", { x: "articles in the table", y: "p99 (ms, log scale)" }, input.api, true),
    "</svg>",
    "",
  ].join("\n");
}
