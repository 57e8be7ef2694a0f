import { type EventState, growthSeries, mapFeedFormats, plural, type Theme } from "@eventwire/core";
import { withQuery } from "../base-url";
import { GrowthChart } from "./growth-chart";
import { Command, FeedList, type FeedSet, feedAlternates, Layout, Pager, Time, webhookCommand } from "./layout";
import { SourceNames } from "./sources";

export type HomePageProps = {
  base: string;
  theme: Theme;
  themes: readonly Theme[];
  events: readonly EventState[];
  /** Source names by source id, for the sources each event lists. */
  sourceNames: ReadonlyMap<string, string>;
  /** Each event's lead line (its central article's first sentence) by event id, where it has one. */
  leads: ReadonlyMap<string, string>;
  minSources: number | null;
  newerUrl: string | null;
  olderUrl: string | null;
};

/** The theme's feeds: its articles, and its events (under the page's filter). */
function themeFeeds(base: string, theme: Theme, minSources: number | null): FeedSet[] {
  return [
    { title: `${theme.title}: latest articles`, urls: mapFeedFormats((format) => `${base}/feeds/${theme.id}.${format}`) },
    {
      title: minSources === null ? `${theme.title}: events` : `${theme.title}: events with ${minSources}+ sources`,
      urls: mapFeedFormats((format) => withQuery(`${base}/feeds/${theme.id}/events.${format}`, { minSources })),
    },
  ];
}

/** One event of the list: its title, lead line, counts and time span, how it grew, and who carried it. */
function EventItem(props: { base: string; event: EventState; lead: string | null; sourceNames: ReadonlyMap<string, string> }) {
  const { event } = props;
  const series = growthSeries(event);
  return (
    <li>
      <article>
        <h3>
          <a href={`${props.base}/events/${event.id}`}>{event.title}</a>
        </h3>
        {props.lead === null ? null : <p class="lead">{props.lead}</p>}
        <div class="event-facts">
          <p class="meta">
            {plural(event.articleCount, "article")} · {plural(event.outlets.length, "source")} · <Time iso={event.firstSeen} /> –{" "}
            <Time iso={event.lastSeen} />
          </p>
          {series === null ? null : <GrowthChart series={series} size="small" />}
        </div>
        <p class="meta">
          <SourceNames event={event} names={props.sourceNames} />
        </p>
      </article>
    </li>
  );
}

/** `GET /`: the theme's latest events, the feeds to follow them, and how to read them from a program. */
export function HomePage(props: HomePageProps) {
  const { base, theme, minSources } = props;
  const feeds = themeFeeds(base, theme, minSources);
  const apiUrl = withQuery(`${base}/api/v1/events`, { theme: theme.id, limit: 20 });
  return (
    <Layout title={`${theme.title} — eventwire`} base={base} alternates={feedAlternates(feeds)}>
      <h1>{theme.title}</h1>
      <p>{theme.description}</p>
      {props.themes.length > 1 ? (
        <nav aria-label="themes">
          <p>
            Themes:{" "}
            {props.themes.map((each, index) => (
              <>
                {index > 0 ? " · " : ""}
                {each.id === theme.id ? (
                  <strong>{each.title}</strong>
                ) : (
                  <a href={withQuery(`${base}/`, { theme: each.id })}>{each.title}</a>
                )}
              </>
            ))}
          </p>
        </nav>
      ) : null}

      <section aria-labelledby="events">
        <h2 id="events">Latest events</h2>
        <form class="filter" method="get" action={`${base}/`}>
          <input type="hidden" name="theme" value={theme.id} />
          <label>
            Reported by at least <input type="number" name="minSources" min="1" max="1000" value={String(minSources ?? 1)} />{" "}
            sources
          </label>
          <button type="submit">Show</button>
        </form>
        {props.events.length === 0 ? (
          <p>
            {minSources === null
              ? "No events yet: they appear here as articles on the theme come in."
              : `No events reported by at least ${minSources} sources.`}
          </p>
        ) : (
          <ol class="events">
            {props.events.map((event) => (
              <EventItem base={base} event={event} lead={props.leads.get(event.id) ?? null} sourceNames={props.sourceNames} />
            ))}
          </ol>
        )}
        <Pager newer={props.newerUrl} older={props.olderUrl} newerLabel="← Newer events" olderLabel="Older events →" />
      </section>

      <section aria-labelledby="follow">
        <h2 id="follow">Follow</h2>
        <FeedList feeds={feeds} />
      </section>

      <section aria-labelledby="program">
        <h2 id="program">From a program</h2>
        <p>
          The same events as JSON, the most recently active first; <code>nextCursor</code> leads to older ones:
        </p>
        <Command text={`curl -s '${apiUrl}'`} />
        <p>Every route, as a JSON index:</p>
        <Command text={`curl -s -H 'Accept: application/json' '${base}/'`} />
        <p>
          Webhook alerts: register an endpoint (with the admin key) to be told, signed, when a story of this theme is reported by
          a second distinct source, and when it grows. The secret to verify them comes in the answer, once.
        </p>
        <Command text={webhookCommand(base, { theme: theme.id, minSources: 2 }, ["event.corroborated", "event.updated"])} />
      </section>
    </Layout>
  );
}
