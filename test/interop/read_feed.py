"""Reads one of eventwire's feeds the way a subscriber's software would, and prints what it saw.

Usage: /usr/bin/python3 read_feed.py xml|json URL
  xml:  Debian's python3-feedparser parses the RSS or Atom document.
  json: the JSON Feed is checked against JSON Feed 1.1 (jsonfeed-1.1.schema.json) with
        python3-jsonschema, and every date must parse as ISO 8601. (Debian's feedparser 6.0
        does not read JSON Feed.)
Prints one JSON object: {"ok", "problems", "version", "count", "titles", "links"}.
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
    problems = [repr(parsed.get("bozo_exception"))] if parsed.bozo else []
    return {
        "ok": not parsed.bozo,
        "problems": problems,
        "version": parsed.version,
        "count": len(parsed.entries),
        "titles": [displayed(entry.get("title_detail")) for entry in parsed.entries],
        "links": [entry.get("link") for entry in parsed.entries],
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
        "problems": problems,
        "version": document.get("version"),
        "count": len(items),
        "titles": [item.get("title") for item in items],
        "links": [item.get("url") for item in items],
    }


if __name__ == "__main__":
    mode, url = sys.argv[1], sys.argv[2]
    print(json.dumps(read_xml(url) if mode == "xml" else read_json(url)))
