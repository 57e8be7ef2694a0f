import {
  type ArticleSummary,
  describeCorrection,
  describeEvent,
  type EventCorrection,
  type EventState,
  growthSeries,
  isWebUrl,
  mapFeedFormats,
  type Theme,
  truncateText,
} from "@eventwire/core";
import { withQuery } from "../base-url";
import { GrowthChart } from "./growth-chart";
import { Command, FeedList, type FeedSet, feedAlternates, Layout, Pager, Time, webhookCommand } from "./layout";
import { SourceNames } from "./sources";

export type EventPageProps = {
  base: string;
  theme: Theme;
  event: EventState;
  /** The first sentence of its central article's summary, if it says more than the title. */
  lead: string | null;
  /** What maintenance passes did to it, newest first; the other events' titles by id. */
  corrections: readonly EventCorrection[];
  otherTitles: ReadonlyMap<string, string>;
  /** This page of the event's articles, newest first. */
  articles: readonly ArticleSummary[];
  sourceNames: ReadonlyMap<string, string>;
  newerUrl: string | null;
  olderUrl: string | null;
};

/** Characters of an article's summary shown on the page; the article itself is a link away. */
const SUMMARY_CHARS = 280;
/** Sources the event page names before it only counts the rest. */
const SHOWN_SOURCES = 40;

/** The event's own feed, in every format. */
function eventFeeds(base: string, event: EventState): FeedSet[] {
  return [{ title: `This event's articles`, urls: mapFeedFormats((format) => `${base}/feeds/events/${event.id}.${format}`) }];
}

function ArticleItem(props: { article: ArticleSummary }) {
  const { article } = props;
  // Only web addresses become links: a source's `javascript:` or `data:` link stays text.
  const title = article.url !== null && isWebUrl(article.url) ? <a href={article.url}>{article.title}</a> : article.title;
  return (
    <li>
      <article>
        <p class="meta">
          <Time iso={article.publishedAt} />
          {article.dateInferred ? " (when fetched; the source gave no date)" : ""} · {article.sourceTitle ?? article.sourceId}
        </p>
        <h3>{title}</h3>
        {article.summary !== "" && article.summary !== article.title ? (
          <p>{truncateText(article.summary, SUMMARY_CHARS)}</p>
        ) : null}
      </article>
    </li>
  );
}

/** What maintenance passes did to the event, newest first, each with why, linking the other event. */
function Corrections(props: { base: string; corrections: readonly EventCorrection[]; titles: ReadonlyMap<string, string> }) {
  if (props.corrections.length === 0) return null;
  return (
    <section aria-labelledby="corrections">
      <h2 id="corrections">Corrections</h2>
      <ul>
        {props.corrections.map((correction) => (
          <li>
            <Time iso={correction.at} />: {describeCorrection(correction, props.titles.get(correction.other) ?? correction.other)}{" "}
            (<a href={`${props.base}/events/${correction.other}`}>that event</a>). {correction.summary}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** `GET /events/{id}`: one event, its articles as a timeline (newest first), its feeds and its JSON. */
export function EventPage(props: EventPageProps) {
  const { base, theme, event } = props;
  const feeds = eventFeeds(base, event);
  const apiUrl = `${base}/api/v1/events/${event.id}`;
  const series = growthSeries(event);
  return (
    <Layout
      title={`${event.title} — eventwire`}
      base={base}
      alternates={[...feedAlternates(feeds), { type: "application/json", title: "This event as JSON", href: apiUrl }]}
    >
      <p class="meta">
        <a href={withQuery(`${base}/`, { theme: theme.id })}>{theme.title}</a> · event
      </p>
      <h1>{event.title}</h1>
      {props.lead === null ? null : <p class="lead">{props.lead}</p>}
      <p>{describeEvent(event)}</p>
      <dl class="facts">
        <dt>Articles</dt>
        <dd>{event.articleCount}</dd>
        <dt>Distinct sources</dt>
        <dd>{event.outlets.length}</dd>
        <dt>First seen</dt>
        <dd>
          <Time iso={event.firstSeen} />
        </dd>
        <dt>Last seen</dt>
        <dd>
          <Time iso={event.lastSeen} />
        </dd>
      </dl>
      <p>
        <SourceNames event={event} names={props.sourceNames} shown={SHOWN_SOURCES} />
      </p>
      {series === null ? null : (
        <section aria-labelledby="growth">
          <h2 id="growth">How the story grew</h2>
          <GrowthChart series={series} size="large" />
        </section>
      )}
      <Corrections base={base} corrections={props.corrections} titles={props.otherTitles} />

      <section aria-labelledby="articles">
        <h2 id="articles">Articles, newest first</h2>
        <ol class="timeline">
          {props.articles.map((article) => (
            <ArticleItem article={article} />
          ))}
        </ol>
        <Pager newer={props.newerUrl} older={props.olderUrl} newerLabel="← Newer articles" olderLabel="Older articles →" />
      </section>

      <section aria-labelledby="follow">
        <h2 id="follow">Follow this event</h2>
        <FeedList feeds={feeds} />
        <p>Each feed keeps one item per article; a feed reader shows what joins the story next.</p>
      </section>

      <section aria-labelledby="program">
        <h2 id="program">From a program</h2>
        <p>
          This event as <a href={apiUrl}>JSON</a>, with its newest 100 articles and why each is part of it:
        </p>
        <Command text={`curl -s '${apiUrl}'`} />
        <p>All its articles, newest first, a page at a time:</p>
        <Command text={`curl -s '${withQuery(`${base}/api/v1/articles`, { event: event.id, limit: 100 })}'`} />
        <p>
          Webhook alerts: register an endpoint (with the admin key) to be told, signed, of every article this story gains. The
          secret to verify them comes in the answer, once.
        </p>
        <Command text={webhookCommand(base, { theme: event.theme, eventIds: [event.id] }, ["article.added"])} />
      </section>
    </Layout>
  );
}
