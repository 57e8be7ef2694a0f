"""Reads one of eventwire's feeds the way a subscriber's software would, and prints what it saw.

Usage: /usr/bin/python3 read_feed.py xml|json URL
  xml:  Debian's python3-feedparser parses the RSS or Atom document.
  json: the JSON Feed is checked against JSON Feed 1.1 (jsonfeed-1.1.schema.json) with
        python3-jsonschema, and every date must parse as ISO 8601. (Debian's feedparser 6.0
        does not read JSON Feed.)
It follows the feed's next-page links (RFC 5005 rel="next" in RSS and Atom, next_url in JSON
Feed) and reads every page the same way.
Prints one JSON object: {"ok", "problems", "version", "count", "titles", "links", "ids",
"pages", "page_links"}, where page_links are the first page's feed-level links by rel.
"""

import datetime
import html
import json
import re
import pathlib
import sys
import urllib.request


def displayed(detail):
    """The text a reader shows for a feedparser text construct: HTML is rendered, plain text is not."""
    if detail is None:
        return None
    if detail.get("type") in ("text/html", "application/xhtml+xml"):
        return html.unescape(re.sub(r"<[^>]*>", "", detail["value"]))
    return detail["value"]


def read_xml(url):
    import feedparser

    parsed = feedparser.parse(url)
    problems = [f"{url}: {parsed.get('bozo_exception')!r}"] if parsed.bozo else []
    page_links = {link.get("rel"): link.get("href") for link in parsed.feed.get("links", [])}
    return {
        "ok": not parsed.bozo,
        "problems": problems,
        "version": parsed.version,
        "count": len(parsed.entries),
        "titles": [displayed(entry.get("title_detail")) for entry in parsed.entries],
        "links": [entry.get("link") for entry in parsed.entries],
        "ids": [entry.get("id") for entry in parsed.entries],
        "page_links": page_links,
        "next": page_links.get("next"),
    }


def read_json(url):
    import jsonschema

    with urllib.request.urlopen(url, timeout=10) as response:
        content_type = response.headers.get("content-type", "")
        document = json.load(response)
    schema = json.loads((pathlib.Path(__file__).parent / "jsonfeed-1.1.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    problems = [f"{'/'.join(map(str, error.path))}: {error.message}" for error in validator.iter_errors(document)]
    if not content_type.startswith("application/feed+json"):
        problems.append(f"content-type is {content_type!r}")
    for item in document.get("items", []):
        for field in ("date_published", "date_modified"):
            if field in item:
                try:
                    datetime.datetime.fromisoformat(item[field].replace("Z", "+00:00"))
                except ValueError as error:
                    problems.append(f"{item.get('id')}: {field}: {error}")
    items = document.get("items", [])
    return {
        "ok": not problems,
        "problems": [f"{url}: {problem}" for problem in problems],
        "version": document.get("version"),
        "count": len(items),
        "titles": [item.get("title") for item in items],
        "links": [item.get("url") for item in items],
        "ids": [item.get("id") for item in items],
        "page_links": {"next": document["next_url"]} if "next_url" in document else {},
        "next": document.get("next_url"),
    }


def read_all_pages(mode, url, max_pages=100):
    """Reads the page at url and every page its next links lead to, as one reading."""
    read = read_xml if mode == "xml" else read_json
    first = read(url)
    total = dict(first, pages=1)
    seen = {url}
    next_url = first["next"]
    while next_url is not None:
        if next_url in seen or total["pages"] >= max_pages:
            total["problems"].append(f"next link loops or runs on: {next_url}")
            break
        seen.add(next_url)
        page = read(next_url)
        for field in ("problems", "titles", "links", "ids"):
            total[field] = total[field] + page[field]
        total["count"] += page["count"]
        total["pages"] += 1
        next_url = page["next"]
    total["ok"] = not total["problems"]
    del total["next"]
    return total


if __name__ == "__main__":
    mode, url = sys.argv[1], sys.argv[2]
    print(json.dumps(read_all_pages(mode, url)))
