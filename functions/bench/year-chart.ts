// The year's chart: two small panels drawn as SVG by hand (a few lines and labels need no
// library): the matcher's time per article against the events in its index, and each API
// request's p99 against the articles in the table, both on logarithmic x axes.

/** One line of a panel: its name, colour and points (x, y). */
export type ChartSeries = { name: string; colour: string; points: { x: number; y: number }[] };

export type YearChartInput = {
  title: string;
  matcher: ChartSeries[];
  api: ChartSeries[];
};

const WIDTH = 860;
const HEIGHT = 360;
const PANEL = { width: 360, height: 240, top: 60 };

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const fmt = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

/** "1k", "1.8M": an axis label for a count. */
export function shortCount(value: number): string {
  if (value >= 1e6) return `${fmt(Math.round(value / 1e5) / 10)}M`;
  if (value >= 1e3) return `${fmt(Math.round(value / 1e2) / 10)}k`;
  return String(Math.round(value));
}

/** A panel at `left`: axes, ticks at each power of ten in range, a line and dots per series, a legend. */
function panel(left: number, heading: string, xLabel: string, yLabel: string, series: ChartSeries[]): string {
  const points = series.flatMap((line) => line.points).filter((point) => point.x > 0 && Number.isFinite(point.y));
  if (points.length === 0) return "";
  const xs = points.map((point) => Math.log10(point.x));
  const [xMin, xMax] = [Math.floor(Math.min(...xs)), Math.ceil(Math.max(...xs))];
  const yMax = Math.max(...points.map((point) => point.y)) * 1.15 || 1;
  const { width, height, top } = PANEL;
  const x = (value: number) => left + ((Math.log10(value) - xMin) / Math.max(1, xMax - xMin)) * width;
  const y = (value: number) => top + height - (value / yMax) * height;
  const parts: string[] = [
    `<text x="${left}" y="${top - 24}" font-size="14" font-weight="bold">${escapeXml(heading)}</text>`,
    `<line x1="${left}" y1="${top + height}" x2="${left + width}" y2="${top + height}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + height}" stroke="#333"/>`,
    `<text x="${left + width / 2}" y="${top + height + 34}" font-size="12" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text x="${left - 40}" y="${top + height / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 ${left - 40} ${top + height / 2})">${escapeXml(yLabel)}</text>`,
  ];
  for (let power = xMin; power <= xMax; power += 1) {
    const at = x(10 ** power);
    parts.push(
      `<line x1="${at}" y1="${top + height}" x2="${at}" y2="${top + height + 5}" stroke="#333"/>`,
      `<text x="${at}" y="${top + height + 18}" font-size="11" text-anchor="middle">${shortCount(10 ** power)}</text>`,
    );
  }
  for (let tick = 0; tick <= 4; tick += 1) {
    const value = (yMax / 1.15) * (tick / 4);
    parts.push(
      `<line x1="${left - 5}" y1="${y(value)}" x2="${left}" y2="${y(value)}" stroke="#333"/>`,
      `<text x="${left - 8}" y="${y(value) + 4}" font-size="11" text-anchor="end">${fmt(Math.round(value * 10) / 10)}</text>`,
    );
  }
  series.forEach((line, index) => {
    const shown = line.points.filter((point) => point.x > 0 && Number.isFinite(point.y));
    if (shown.length > 1)
      parts.push(
        `<polyline fill="none" stroke="${line.colour}" stroke-width="2" points="${shown.map((point) => `${x(point.x).toFixed(1)},${y(point.y).toFixed(1)}`).join(" ")}"/>`,
      );
    for (const point of shown)
      parts.push(`<circle cx="${x(point.x).toFixed(1)}" cy="${y(point.y).toFixed(1)}" r="3" fill="${line.colour}"/>`);
    const legendY = top + 14 + index * 16;
    parts.push(
      `<rect x="${left + 12}" y="${legendY - 9}" width="10" height="10" fill="${line.colour}"/>`,
      `<text x="${left + 28}" y="${legendY}" font-size="11">${escapeXml(line.name)}</text>`,
    );
  });
  return parts.join("\n");
}

/** The chart as an SVG document. */
export function renderYearChart(input: YearChartInput): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="20" font-size="15" text-anchor="middle">${escapeXml(input.title)}</text>`,
    panel(70, "Matcher: time per article", "events in the index", "µs per article", input.matcher),
    panel(490, "API p99, 50 connections, uncached", "articles in the table", "p99 (ms)", input.api),
    "</svg>",
    "",
  ].join("\n");
}
