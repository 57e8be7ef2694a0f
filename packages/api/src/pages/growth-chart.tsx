import { type GrowthBin, type GrowthSeries, growthAxis, plural } from "@eventwire/core";

/** The two sizes of the picture: a spark in a listing, a chart with its axis on an event's page. */
const SIZES = {
  small: { width: 120, height: 28, maxBar: 8 },
  large: { width: 640, height: 160, maxBar: 40 },
} as const;

/** Bars of a series in a `width` by `height` box: each bar centred in its slot, scaled to the fullest. */
export function growthBars(series: GrowthSeries, width: number, height: number, maxBar: number) {
  const slot = width / series.bins.length;
  const barWidth = Math.min(slot * 0.8, maxBar);
  // One unit of headroom; a bar of any article stays visible however tall the fullest one is.
  const scale = (height - 1) / series.peak.count;
  const round = (value: number) => Math.round(value * 100) / 100;
  return series.bins.flatMap((bin, index) => {
    if (bin.count === 0) return [];
    const barHeight = Math.max(1.5, bin.count * scale);
    return [
      {
        x: round(index * slot + (slot - barWidth) / 2),
        y: round(height - barHeight),
        width: round(barWidth),
        height: round(barHeight),
        bin,
      },
    ];
  });
}

/** "3 articles, 1 May 08:00 UTC" / "2 articles, 1 May 2026". */
function barTitle(series: GrowthSeries, bin: GrowthBin): string {
  const start = new Date(bin.start);
  const day = start.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  const count = plural(bin.count, "article");
  if (series.unit === "hour") return `${count}, ${day} ${bin.start.slice(11, 16)} UTC`;
  return series.width === 1 ? `${count}, ${day}` : `${count}, ${series.width} days from ${day}`;
}

/**
 * How an event grew, as an inline SVG of bars (articles per hour or per day), with its label as
 * `<title>` and `aria-label`. Styled by the page's stylesheet (classes only: the page's policy
 * allows no style attribute) and drawn by no script. `large` adds the time axis and a caption.
 */
export function GrowthChart(props: { series: GrowthSeries; size: "small" | "large" }) {
  const { series, size } = props;
  const box = SIZES[size];
  const svg = (
    <svg
      class={`growth growth-${size}`}
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${box.width} ${box.height}`}
      width={size === "small" ? String(box.width) : undefined}
      height={size === "small" ? String(box.height) : undefined}
      preserveAspectRatio="none"
      role="img"
      aria-label={series.label}
    >
      <title>{series.label}</title>
      <line x1="0" y1={String(box.height)} x2={String(box.width)} y2={String(box.height)} vector-effect="non-scaling-stroke" />
      {growthBars(series, box.width, box.height, box.maxBar).map((bar) => (
        <rect x={String(bar.x)} y={String(bar.y)} width={String(bar.width)} height={String(bar.height)}>
          {/* Each bar's own count on hover, on the event's page only: a listing stays light. */}
          {size === "large" ? <title>{barTitle(series, bar.bin)}</title> : null}
        </rect>
      ))}
    </svg>
  );
  if (size === "small") return svg;
  const axis = growthAxis(series);
  return (
    <figure class="growth-figure">
      {svg}
      <div class="growth-axis" aria-hidden="true">
        <span>{axis.from}</span>
        <span>{axis.to}</span>
      </div>
      <figcaption>
        {series.label}. One bar per {axis.per} (UTC); the tallest stands for {plural(series.peak.count, "article")}.
      </figcaption>
    </figure>
  );
}
