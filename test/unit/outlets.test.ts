import { attributeArticle, findAgency, NEWS_AGENCIES, outletOfName, readCredit, sourceOutlet } from "@eventwire/core";
import { describe, expect, it } from "vitest";

const BODY = "Militants attacked an army convoy on the desert road on Monday, killing four soldiers, officials said.";

describe("reading a credit", () => {
  it.each([
    // Datelines: an agency after any place, any outlet after a place in capitals.
    ["BEIRUT (Reuters) - Militants attacked a convoy.", null, "Reuters", "dateline"],
    ["DAMASCUS, Syria (AP) — Militants attacked a convoy.", null, "AP", "dateline"],
    ["Beirut, May 4 (AFP) - Militants attacked a convoy.", null, "AFP", "dateline"],
    ["(Reuters) - Militants attacked a convoy.", null, "Reuters", "dateline"],
    ["DEIR EZ-ZOR, Syria (Harbour Courier) — Militants attacked.", null, "Harbour Courier", "dateline"],
    ["By JANE DOE Associated Press Writer\nBEIRUT (AP) — Militants attacked.", null, "AP", "dateline"],
    // Closing credits after the last sentence.
    [`${BODY} (Harbour Courier)`, null, "Harbour Courier", "credit-line"],
    [`${BODY}\n(Reuters)`, null, "Reuters", "credit-line"],
    [`${BODY} (dpa)`, null, "dpa", "credit-line"],
    [`${BODY} (Al-Monitor).`, null, "Al-Monitor", "credit-line"],
    [`${BODY} (Voice of the Valley)`, null, "Voice of the Valley", "credit-line"],
    [`${BODY} — Reuters`, null, "Reuters", "credit-line"],
    [`${BODY} - AP`, null, "AP", "credit-line"],
    [`${BODY} – Jane Doe, Agence France-Presse`, null, "Agence France-Presse", "credit-line"],
    [`${BODY} Source: Harbour Courier`, null, "Harbour Courier", "credit-line"],
    [`${BODY} Via AFP`, null, "AFP", "credit-line"],
    // Bylines and the feed's author field name an agency.
    [`By Jane Doe | AFP\n${BODY}`, null, "AFP", "byline"],
    [`By Jane Doe and John Roe, Press Trust of India\n${BODY}`, null, "Press Trust of India", "byline"],
    [BODY, "Jane Doe, Reuters", "Reuters", "author"],
    [BODY, "Reuters Staff", "Reuters", "author"],
    [BODY, "JOHN ROE Associated Press Writer", "Associated Press", "author"],
    [BODY, "AFP", "AFP", "author"],
    [`${BODY} Copyright 2026 The Associated Press. All rights reserved.`, null, "The Associated Press", "copyright"],
  ] as const)("%j (author %j) credits %s by its %s", (text, author, name, form) => {
    expect(readCredit(text, author)).toEqual({ name, form });
  });

  it.each([
    // Parentheses that are not a credit: mid-text, no sentence end before them, captions, notes.
    [`Militants (Harbour Courier) attacked a convoy. ${BODY}`, null],
    ["Militants attacked the group known as Islamic State (ISIS).", null],
    [`${BODY.slice(0, -1)} (Harbour Courier)`, null],
    [`${BODY} (AP Photo/Jane Doe)`, null],
    [`${BODY} (File)`, null],
    [`${BODY} (Updated)`, null],
    [`${BODY} (1/2)`, null],
    [`${BODY} (Map)`, null],
    [`${BODY} (Reporting by Jane Doe; Editing by John Roe)`, null],
    [`${BODY} (additional reporting by Jane Doe)`, null],
    [`${BODY} (Harbour Courier) More on this story tomorrow.`, null],
    // A dateline names any outlet only after a place in capitals; a phrase is not a place.
    ["Beirut (Harbour Courier) — Militants attacked.", null],
    ["The Islamic State (ISIS) — the group said it carried out the attack.", null],
    // Dashes, bylines, author fields and copyright lines credit only a listed agency.
    [`${BODY} — Jane Doe`, null],
    [`${BODY} — Harbour Courier`, null],
    [`By Jane Doe, Staff Writer\n${BODY}`, null],
    [BODY, "Jane Doe"],
    // A surname that is also an agency's name is not the agency, nor is one written in lower case.
    [BODY, "Layla Wafa"],
    [BODY, "Jane Petra"],
    [`${BODY} © 2026 Harbour Courier`, null],
    [BODY, null],
    ["", null],
  ] as const)("%j (author %j) credits no one", (text, author) => {
    expect(readCredit(text, author)).toBeNull();
  });
});

describe("outlets", () => {
  it.each([
    ["AP", "ap"],
    ["The Associated Press", "ap"],
    ["Associated Press", "ap"],
    ["apnews.com", "ap"],
    ["Agence France Presse", "afp"],
    ["AFP", "afp"],
    ["Thomson Reuters", "reuters"],
    ["https://www.reuters.com/", "reuters"],
    ["Harbour Courier", "harbourcourier"],
    ["harbour-courier", "harbourcourier"],
    ["The HARBOUR COURIER News", "harbourcourier"],
    ["www.harbour-courier.co.uk", "harbourcourier"],
    ["Médias du Levant", "mediasdulevant"],
  ])("%j is the outlet %j", (name, key) => {
    expect(outletOfName(name)?.key).toBe(key);
  });

  it("has nothing to say of a name without letters or digits", () => {
    expect(outletOfName("---")).toBeNull();
  });

  it("an agency is shown by its own name, however it was credited", () => {
    expect(outletOfName("the Associated Press")).toEqual({ key: "ap", name: "Associated Press" });
  });

  it("every listed agency has one key, and no name or acronym names two agencies", () => {
    const keys = NEWS_AGENCIES.map((agency) => agency.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const agency of NEWS_AGENCIES) {
      for (const name of [...agency.names, ...agency.acronyms]) expect(findAgency(name)?.key, name).toBe(agency.key);
    }
  });

  it("a source is its title without the feed's section, else its id", () => {
    expect(sourceOutlet("s1", "Reuters: World News")).toEqual({ key: "reuters", name: "Reuters: World News" });
    expect(sourceOutlet("s1", "Harbour Courier - Politics")).toEqual({
      key: "harbourcourier",
      name: "Harbour Courier - Politics",
    });
    expect(sourceOutlet("s1", "Al-Monitor")).toEqual({ key: "almonitor", name: "Al-Monitor" });
    expect(sourceOutlet("s1", null)).toEqual({ key: "s1", name: "s1" });
    expect(sourceOutlet("s1", "  ")).toEqual({ key: "s1", name: "s1" });
  });

  it("an article counts for the outlet it credits, else for its own source", () => {
    const copy = attributeArticle({ sourceId: "s2", sourceTitle: "River Post", text: `${BODY} (Harbour Courier)` });
    expect(copy.own.key).toBe("riverpost");
    expect(copy.credited).toEqual({ key: "harbourcourier", name: "Harbour Courier" });
    expect(copy.credit).toMatchObject({ name: "Harbour Courier", form: "credit-line" });
    const own = attributeArticle({ sourceId: "s1", sourceTitle: "Harbour Courier", text: BODY });
    expect(own).toMatchObject({ credit: null, credited: { key: "harbourcourier" } });
    const wire = attributeArticle({ sourceId: "s3", sourceTitle: "River Post", author: "Jane Doe, AP", text: BODY });
    expect(wire.credited).toEqual({ key: "ap", name: "Associated Press" });
  });
});
