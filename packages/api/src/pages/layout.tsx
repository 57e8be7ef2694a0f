import { createHash } from "node:crypto";
import { FEED_FORMATS, type FeedFormat, readableTime } from "@eventwire/core";
import { raw } from "hono/html";
import type { Child } from "hono/jsx";

// The pages' only style: small, inline, no external assets. Light or dark by the reader's
// setting; long words and addresses wrap, so a 375-pixel screen never scrolls sideways.
const PAGE_CSS = `
:root{color-scheme:light dark;--bg:#fdfdfc;--fg:#1b1b1b;--muted:#5b5b57;--line:#d9d9d4;--accent:#0b57d0;--code:#f0f0ec}
@media (prefers-color-scheme:dark){:root{--bg:#161616;--fg:#e9e9e6;--muted:#a8a8a2;--line:#36362f;--accent:#8ab4f8;--code:#242424}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere}
.site,main,footer{max-width:46rem;margin:0 auto;padding:0 1rem}
.site{padding-top:.75rem;padding-bottom:.75rem;border-bottom:1px solid var(--line)}
.site a{font-weight:700;text-decoration:none;color:var(--fg)}
a{color:var(--accent)}
h1{font-size:1.6rem;line-height:1.25;margin:1.25rem 0 .5rem}
h2{font-size:1.2rem;margin:2rem 0 .5rem}
h3{font-size:1.05rem;line-height:1.35;margin:0 0 .25rem}
p{margin:.25rem 0}
.meta{color:var(--muted);font-size:.9rem}
.events,.timeline{list-style:none;margin:0;padding:0}
.events li{padding:.85rem 0;border-bottom:1px solid var(--line)}
.timeline{border-left:2px solid var(--line);margin-left:.35rem}
.timeline li{position:relative;padding:0 0 1.1rem 1rem}
.timeline li::before{content:"";position:absolute;left:-.45rem;top:.4rem;width:.8rem;height:.8rem;border-radius:50%;background:var(--accent)}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:1rem 0}
.facts dt{color:var(--muted)}
.facts dd{margin:0}
pre{background:var(--code);padding:.75rem;border-radius:.4rem;white-space:pre-wrap;word-break:break-all;font-size:.85rem}
pre code{user-select:all}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.pager{display:flex;justify-content:space-between;gap:1rem;margin:1rem 0}
.filter{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.75rem 0}
input,button{font:inherit}
input[type=number]{width:5.5rem}
.lead{margin:.15rem 0 .35rem}
.event-facts{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem .75rem}
.carriers{color:var(--muted)}
.growth{display:block;flex:none;overflow:visible}
.growth rect{fill:var(--accent)}
.growth line{stroke:var(--line);stroke-width:1}
.growth-figure{margin:.5rem 0 0}
.growth-large{width:100%;height:10rem}
.growth-axis{display:flex;justify-content:space-between;gap:1rem;color:var(--muted);font-size:.85rem}
figcaption{color:var(--muted);font-size:.9rem;margin-top:.25rem}
footer{margin-top:2rem;padding-top:1rem;padding-bottom:2rem;border-top:1px solid var(--line);color:var(--muted);font-size:.85rem}
`;

/**
 * The pages' Content-Security-Policy: no script of any kind, the one inline style by its hash,
 * forms only to this site, no framing, no base-URL tricks.
 */
export const PAGE_CSP = strictCsp(PAGE_CSS, ["img-src 'self'", "form-action 'self'"]);

/** A policy with no script of any kind, one inline style allowed by its hash, no framing. */
export function strictCsp(css: string, extra: readonly string[] = []): string {
  return [
    "default-src 'none'",
    `style-src 'sha256-${createHash("sha256").update(css).digest("base64")}'`,
    ...extra,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** A feed or JSON document announced in the page head for autodiscovery. */
export type Alternate = { type: string; title: string; href: string };

/** The frame of every page: head (viewport, style, alternates), site header, main, footer. */
export function Layout(props: { title: string; base: string; alternates?: readonly Alternate[]; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{props.title}</title>
        {(props.alternates ?? []).map((alternate) => (
          <link rel="alternate" type={alternate.type} title={alternate.title} href={alternate.href} />
        ))}
        <style>{raw(PAGE_CSS)}</style>
      </head>
      <body>
        <header class="site">
          <a href={`${props.base}/`}>eventwire</a>
        </header>
        <main>{props.children}</main>
        <footer>
          <p>
            eventwire groups news articles into events. Feeds: RSS, Atom and JSON Feed; data:{" "}
            <a href={`${props.base}/api/v1/events`}>the JSON API</a>.
          </p>
        </footer>
      </body>
    </html>
  );
}

/** A time as the pages show it (UTC, the same for every reader), with its machine-readable value. */
export function Time(props: { iso: string }) {
  return <time datetime={props.iso}>{readableTime(props.iso)}</time>;
}

/** One feed in its three formats, as a page lists it and announces it in its head. */
export type FeedSet = { title: string; urls: Record<FeedFormat, string> };

const FORMAT_NAMES: Record<FeedFormat, string> = { rss: "RSS", atom: "Atom", json: "JSON Feed" };
const FORMAT_TYPES: Record<FeedFormat, string> = {
  rss: "application/rss+xml",
  atom: "application/atom+xml",
  json: "application/feed+json",
};

/** The `<link rel="alternate">` entries of some feeds, every format of each. */
export function feedAlternates(feeds: readonly FeedSet[]): Alternate[] {
  return feeds.flatMap((feed) =>
    FEED_FORMATS.map((format) => ({
      type: FORMAT_TYPES[format],
      title: `${feed.title} (${FORMAT_NAMES[format]})`,
      href: feed.urls[format],
    })),
  );
}

/** A list of feeds, each with a link per format. */
export function FeedList(props: { feeds: readonly FeedSet[] }) {
  return (
    <ul>
      {props.feeds.map((feed) => (
        <li>
          {feed.title}:{" "}
          {FEED_FORMATS.map((format, index) => (
            <>
              {index > 0 ? " · " : ""}
              <a href={feed.urls[format]}>{FORMAT_NAMES[format]}</a>
            </>
          ))}
        </li>
      ))}
    </ul>
  );
}

/** A command to copy: one tap selects it all. */
/** The curl command that registers a webhook endpoint with a filter (shown, never run, by the pages). */
export function webhookCommand(base: string, filter: Record<string, unknown>, types: readonly string[]): string {
  const body = JSON.stringify({ url: "https://receiver.example/hook", types, filter });
  return [
    `curl -s -X POST '${base}/api/v1/subscriptions'`,
    `  -H "Authorization: Bearer $EVENTWIRE_ADMIN_KEY" -H 'Content-Type: application/json'`,
    `  -d '${body}'`,
  ].join(" \\\n");
}

export function Command(props: { text: string }) {
  return (
    <pre>
      <code>{props.text}</code>
    </pre>
  );
}

function PageLink(props: { href: string | null; rel: "prev" | "next"; label: string }) {
  return (
    <span>
      {props.href === null ? (
        ""
      ) : (
        <a href={props.href} rel={props.rel}>
          {props.label}
        </a>
      )}
    </span>
  );
}

/** Links to the neighbouring pages of a listing; nothing when there is one page. */
export function Pager(props: { newer: string | null; older: string | null; newerLabel: string; olderLabel: string }) {
  if (props.newer === null && props.older === null) return null;
  return (
    <nav class="pager" aria-label="pages">
      <PageLink href={props.newer} rel="prev" label={props.newerLabel} />
      <PageLink href={props.older} rel="next" label={props.olderLabel} />
    </nav>
  );
}
