/**
 * Public feeds polled when `EVENTWIRE_SOURCES` is not set: outlets that cover the Islamic State
 * group and the Syrian conflict. They need the internet; where it is out of reach each one
 * fails on its own and says so on its source.
 */
export const DEFAULT_SOURCE_URLS: readonly string[] = [
  "https://www.theguardian.com/world/syria/rss",
  "https://www.theguardian.com/world/isis/rss",
  "https://feeds.bbci.co.uk/news/world/middle_east/rss.xml",
  "https://www.aljazeera.com/xml/rss/all.xml",
  "https://news.un.org/feed/subscribe/en/news/region/middle-east/feed/rss.xml",
];
