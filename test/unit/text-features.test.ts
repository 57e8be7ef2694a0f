import {
  compileEntities,
  contentTerms,
  extractEntities,
  extractFeatures,
  foldText,
  hammingDistance,
  shingles,
  simhash,
} from "@eventwire/core";
import { describe, expect, it } from "vitest";

const dictionary = compileEntities([
  { id: "isis", type: "org", aliases: ["ISIS", "ISIL", "IS", "Islamic State", "Daesh"] },
  { id: "deir-ez-zor", type: "place", aliases: ["Deir ez-Zor", "Deir al-Zour"] },
  { id: "syria", type: "place", aliases: ["Syria", "Syrian"] },
]);

describe("tokens", () => {
  it("folds case and diacritics", () => {
    expect(foldText("Türkiye ÇAĞ")).toBe("turkiye cag");
  });
  it("keeps content words, stemmed, and drops stop words, numbers and one-letter tokens", () => {
    expect(contentTerms("The 12 fighters said they were attacking a checkpoint, Reuters reported.")).toEqual([
      "fighter",
      "attack",
      "checkpoint",
    ]);
  });
});

describe("entities", () => {
  it("maps every alias of a known entity to one key, longest match first", () => {
    const found = extractEntities(
      "ISIL fighters, who call their group the Islamic State, are also known as Daesh.",
      dictionary,
      false,
    );
    expect(found.get("isis")).toEqual({ type: "org", count: 3 });
  });

  it("matches an all-capital alias only in capitals", () => {
    expect(extractEntities("This is where IS fighters were seen.", dictionary, false).get("isis")).toEqual({
      type: "org",
      count: 1,
    });
  });

  it("matches hyphenated names and splits hyphenated compounds", () => {
    const found = extractEntities("Clashes in Deir al-Zour spread along the Turkey-Syria border.", dictionary, false);
    expect(found.get("deir-ez-zor")?.count).toBe(1);
    expect(found.get("syria")?.count).toBe(1);
  });

  it("guesses unknown names in running text but not from a title-case headline", () => {
    const body = extractEntities(
      "Troops entered the town. Later, Abu Mohammed al-Jawlani spoke to Western reporters.",
      dictionary,
      true,
    );
    expect([...body.keys()]).toContain("abu mohammed al jawlani");
    expect([...body.keys()]).not.toContain("troops");
    expect(extractEntities("Troops Enter Town As Militants Flee", dictionary, false).size).toBe(0);
  });

  it("does not take a day or a month for a name", () => {
    const found = extractEntities(
      "The convoy left on Monday's orders and returned in March with Colonel Haddad.",
      dictionary,
      true,
    );
    expect([...found.keys()]).toEqual(["colonel haddad"]);
  });
});

describe("SimHash", () => {
  const text =
    "The Syrian Democratic Forces said they held the Tabqa dam on the Euphrates on Monday after fighters pulled out during the night, and engineers were inspecting the spillway for damage.";
  it("differs in few bits for a copy with a credit line, in many for another text", () => {
    const a = simhash(shingles(contentTerms(text), 3));
    const copy = simhash(shingles(contentTerms(`${text} (Wire Service)`), 3));
    const other = simhash(
      shingles(
        contentTerms("The central bank raised its main interest rate by a quarter point to curb inflation, the governor said."),
        3,
      ),
    );
    // The model's copy threshold is 10 bits of 64; unrelated texts sit far above it.
    expect(hammingDistance(a, copy)).toBeLessThanOrEqual(10);
    expect(hammingDistance(a, other)).toBeGreaterThan(17);
  });

  it("is not computed for bodies too short to fingerprint", () => {
    expect(extractFeatures("Title", "Too short to tell.", dictionary).simhash).toBeNull();
  });
});

describe("what an article's features leave out and keep for showing", () => {
  const body =
    "BEIRUT (Levant Wire) - Militants ambushed an army bus near Sukhnah, killing twelve soldiers, Syrian officials said. " +
    "Doctors confirmed the toll at Abu Kamal Hospital.\n\nThe Islamic State of Iraq and the Levant (ISIL) - the group's " +
    "full name - claimed it. Relatives gathered outside the hospital. (Marwan Haddad/Crescent Times)";
  const names = (outlet: string | null) => [
    ...extractFeatures("Bus ambushed in desert", body, dictionary, outlet).entities.keys(),
  ];

  it("reads the credit lines as credits, not entities: a dateline's and a closing one", () => {
    const found = names(null);
    expect(found.filter((name) => /levant wire|haddad|crescent/.test(name))).toEqual([]);
    // The rest of the text is read as before: the dateline's place stays a name of its own, and
    // a known entity in parentheses is kept.
    expect(found).toEqual(expect.arrayContaining(["beirut", "isis", "sukhnah", "abu kamal hospital"]));
    // The same parentheses anywhere else are read.
    const inline = extractFeatures("Bus ambushed", "Medics from (Crescent Aid) said twelve died.", dictionary).entities;
    expect([...inline.keys()]).toContain("crescent aid");
  });

  it("does not read the article's own outlet as one of its entities, nor a compound name's parts", () => {
    const own = `${body} Levant Wire confirmed the toll.`;
    const named = (outlet: string | null) => [...extractFeatures("Bus ambushed", own, dictionary, outlet).entities.keys()];
    expect(named(null)).toContain("levant wire");
    expect(named("Levant Wire")).not.toContain("levant wire");
    expect(names("Levant Wire - Abu Kamal Hospital")).not.toContain("abu kamal hospital");
    // A part of an outlet's name that is a known entity stays one.
    expect(names("Levant Wire: Syria")).toContain("syria");
    expect(names("Levant Wire: Syria")).not.toContain("levant wire");
  });

  it("keeps, for each term, the word it was written as most often", () => {
    const features = extractFeatures(
      "Officials identified the bomber",
      "The official said the bomber was identified by officials from DNA. Officials identify victims too.",
      dictionary,
    );
    expect(features.termWords.get("identifi")).toBe("identified");
    expect(features.termWords.get("offici")).toBe("officials");
    expect(features.termWords.get("bomber")).toBe("bomber");
    // One word for every term the matcher reads.
    expect(new Set(features.termWords.keys())).toEqual(new Set([...features.titleTerms.keys(), ...features.bodyTerms.keys()]));
  });
});
