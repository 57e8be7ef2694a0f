import { EVENT_LIMITS, type EventMember, eventLead, LEAD_CHARS, leadSentence, outletsWithCarriers } from "@eventwire/core";
import { describe, expect, it } from "vitest";

describe("a summary's lead sentence", () => {
  it.each([
    ["Fighters took the dam on Monday. Engineers arrived later.", "Fighters took the dam on Monday."],
    ["Dr. Haddad met U.S. officials in Raqqa. Then he left.", "Dr. Haddad met U.S. officials in Raqqa."],
    [
      "The U.S. Army said the convoy was hit 3.5 km from the base. More followed.",
      "The U.S. Army said the convoy was hit 3.5 km from the base.",
    ],
    [
      "Gen. Mazloum Abdi of the S.D.F. spoke on Jan. 5 in Hasakah. The rest.",
      "Gen. Mazloum Abdi of the S.D.F. spoke on Jan. 5 in Hasakah.",
    ],
    ["BEIRUT (Levant Wire) — Mr. Assad said what? The talks ended.", "BEIRUT (Levant Wire) — Mr. Assad said what?"],
    ['He said "we will hold." Then silence.', 'He said "we will hold."'],
    ["John F. Kennedy airport closed. Flights resumed.", "John F. Kennedy airport closed."],
    ["  A first line\n\nwith   spaces. Second.  ", "A first line"],
    ["No sentence end at all", "No sentence end at all"],
    ["", ""],
  ])("of %j is %j", (text, lead) => {
    expect(leadSentence(text)).toBe(lead);
  });

  it(`is cut at a word with an ellipsis past ${LEAD_CHARS} characters`, () => {
    const long = `${"Fighters advanced along the river road ".repeat(10)}today. Next.`;
    const lead = leadSentence(long);
    expect(lead.length).toBeLessThanOrEqual(LEAD_CHARS);
    expect(lead.endsWith("…")).toBe(true);
    // Cut where a word ends.
    expect(long.startsWith(lead.slice(0, -1))).toBe(true);
    expect(long[lead.length - 1]).toBe(" ");
    // A sentence that ends in abbreviations to the end of a long text stops at the cap too.
    expect(leadSentence(`${"Talks with the U.S. ".repeat(40)}end.`).length).toBeLessThanOrEqual(LEAD_CHARS);
  });

  it("is left out when it only says the title again", () => {
    expect(
      eventLead("Dam falls to SDF fighters. Reported by Levant Wire.", ["Fighters take dam", "Dam falls to SDF fighters"]),
    ).toBeNull();
    expect(eventLead("", ["Dam falls"])).toBeNull();
    expect(eventLead("Engineers say the spillway held. More.", ["Dam falls"])).toBe("Engineers say the spillway held.");
  });
});

function member(articleId: string, sourceId: string, outlet: string | null, copyOf: string | null = null): EventMember {
  return {
    articleId,
    sourceId,
    publishedAt: "2026-05-01T08:00:00Z",
    simhash: null,
    contentHash: articleId,
    copyOf,
    outlet,
    credit: null,
  };
}

describe("an event's outlets with the sources that carried them", () => {
  const names = new Map([
    ["src-levant", "Levant Wire"],
    ["src-foo", "Foo Daily"],
    ["src-bar", "Bar Times - World"],
    ["src-north", "North Desk"],
  ]);

  it("folds copies crediting an outlet, and copies crediting no one, under the outlet whose report they carry", () => {
    const event = {
      outlets: [
        { key: "levantwire", name: "Levant Wire" },
        { key: "northdesk", name: "North Desk" },
        { key: "reuters", name: "Reuters" },
      ],
      members: [
        member("a1", "src-levant", "levantwire"),
        member("a2", "src-foo", "levantwire", "a1"),
        member("a3", "src-bar", null, "a1"),
        member("a4", "src-north", "northdesk"),
        // A wire story in a source with no feed of the wire's own.
        member("a5", "src-foo", "reuters"),
        // The same source carrying the same report twice is named once.
        member("a6", "src-foo", "levantwire", "a1"),
      ],
    };
    expect(outletsWithCarriers(event, names)).toEqual([
      { key: "levantwire", name: "Levant Wire", carriedBy: ["Foo Daily", "Bar Times - World"] },
      { key: "northdesk", name: "North Desk", carriedBy: [] },
      { key: "reuters", name: "Reuters", carriedBy: ["Foo Daily"] },
    ]);
  });

  it("names an outlet of an event stored before outlets were read (a source id) by its source", () => {
    const event = { outlets: [{ key: "src-north", name: "src-north" }], members: [member("a1", "src-north", "src-north")] };
    expect(outletsWithCarriers(event, names)).toEqual([{ key: "src-north", name: "North Desk", carriedBy: [] }]);
  });

  it("reads only the members the event keeps", () => {
    expect(EVENT_LIMITS.members).toBe(60);
    const event = { outlets: [{ key: "levantwire", name: "Levant Wire" }], members: [member("a1", "src-levant", "levantwire")] };
    expect(outletsWithCarriers(event, names)[0]?.carriedBy).toEqual([]);
  });
});
