import { FEED_FORMATS, mapFeedFormats } from "@eventwire/core";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { parseFeedFile } from "../../packages/api/src/feed-response";
import { THEME } from "../../packages/api/src/schemas/themes";

// The feed formats are listed once (FEED_FORMATS); URLs, file names and schemas derive from it.
describe("feed formats", () => {
  it("happy: one value per format, in FEED_FORMATS' order", () => {
    const urls = mapFeedFormats((format) => `/feeds/isis-syria.${format}`);
    expect(Object.keys(urls)).toEqual([...FEED_FORMATS]);
    expect(urls).toEqual({ rss: "/feeds/isis-syria.rss", atom: "/feeds/isis-syria.atom", json: "/feeds/isis-syria.json" });
  });

  it.each(FEED_FORMATS.map((format) => [format]))("happy: a file name ending .%s is that feed", (format) => {
    expect(parseFeedFile(`isis-syria.${format}`, undefined)).toEqual({ name: "isis-syria", format, negotiated: false });
  });

  it("happy: .xml is RSS or Atom by the Accept header; the name keeps its own dots", () => {
    expect(parseFeedFile("isis-syria.xml", undefined)).toEqual({ name: "isis-syria", format: "rss", negotiated: true });
    expect(parseFeedFile("isis-syria.xml", "application/atom+xml")).toEqual({
      name: "isis-syria",
      format: "atom",
      negotiated: true,
    });
    expect(parseFeedFile("events.v2.json", undefined)).toEqual({ name: "events.v2", format: "json", negotiated: false });
  });

  it.each([["isis-syria"], ["isis-syria.rdf"], ["isis-syria.rss.bak"], [".rss"], ["isis-syria.RSS"]])(
    "error: %s is no feed file",
    (file) => {
      expect(parseFeedFile(file, undefined)).toBeNull();
    },
  );

  it("happy: a theme's schema requires its feeds in every format, and no other", () => {
    const schema = z.toJSONSchema(THEME) as unknown as { properties: { feeds: { properties: object; required: string[] } } };
    expect(Object.keys(schema.properties.feeds.properties)).toEqual([...FEED_FORMATS]);
    expect(schema.properties.feeds.required).toEqual([...FEED_FORMATS]);
  });
});
