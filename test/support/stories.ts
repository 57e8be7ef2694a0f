import type { Story } from "./events";

// Stories written for the tests of what is served (feeds, pages): outlets, dates and headlines
// are invented. Stored with `storeStory`, they bypass the matcher.

/** Three outlets over two days: the best-corroborated story. */
export const DAM_STORY: Story = {
  title: "Fighters take Euphrates dam",
  articles: [
    { source: "north-desk.example", published: "2026-05-01T08:00:00Z", title: "Dam falls to SDF fighters" },
    { source: "wire.example", published: "2026-05-01T12:00:00Z", title: "SDF holds the Tabqa dam" },
    { source: "river-post.example", published: "2026-05-02T09:00:00Z", title: "Engineers inspect the dam spillway" },
  ],
};

/** One outlet, two days: two articles from one source. */
export const TALKS_STORY: Story = {
  title: "Aleppo ceasefire talks",
  articles: [
    { source: "wire.example", published: "2026-04-28T10:00:00Z", title: "Ceasefire talks open on Aleppo" },
    { source: "wire.example", published: "2026-04-29T10:00:00Z", title: "Aleppo talks go into a second day" },
  ],
};

/** Two outlets within an hour: the most recently active story. */
export const CHECKPOINT_STORY: Story = {
  title: "Checkpoint attack near Raqqa",
  articles: [
    { source: "north-desk.example", published: "2026-05-03T06:00:00Z", title: "Checkpoint attacked near Raqqa" },
    { source: "river-post.example", published: "2026-05-03T07:00:00Z", title: "ISIS claims Raqqa checkpoint attack" },
  ],
};

/** One article, the oldest story. */
export const CAMP_STORY: Story = {
  title: "Camp returns resume",
  articles: [{ source: "north-desk.example", published: "2026-04-20T10:00:00Z", title: "Returns from al-Hol resume" }],
};

/**
 * A wire's report over four days: carried by a second source crediting it and copied by a third
 * crediting no one (both count for the wire), then followed up by another outlet. Its first
 * summary says more than its title, in sentences with abbreviations.
 */
export const WIRE_STORY: Story = {
  title: "Convoy hit on the Deir ez-Zor road",
  articles: [
    {
      source: "levant-wire.example",
      published: "2026-04-24T06:00:00Z",
      title: "Convoy hit on the Deir ez-Zor road",
      summary:
        "A U.S. convoy was hit by a roadside bomb near Deir ez-Zor on Friday, Dr. Haddad of the local council said. Two vehicles burned.",
    },
    {
      source: "foo-daily.example",
      published: "2026-04-24T07:00:00Z",
      title: "Convoy hit near Deir ez-Zor",
      credits: "Levant Wire",
    },
    { source: "bar-times.example", published: "2026-04-24T07:30:00Z", title: "Convoy hit on the Deir ez-Zor road", copyOf: 0 },
    { source: "north-desk.example", published: "2026-04-26T10:00:00Z", title: "Second convoy attacked on the same road" },
    { source: "north-desk.example", published: "2026-04-27T09:00:00Z", title: "Road to Deir ez-Zor reopens" },
  ],
};
