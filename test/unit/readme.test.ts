import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import GithubSlugger from "github-slugger";
import { marked, type Token } from "marked";
import { describe, expect, it } from "vitest";

// The README leads (what it is, a picture, two commands, where to go next) and the reference
// lives in docs/*.md. These checks keep it that way: a short README, links that land, and
// commands that are scripts.

const projectRoot = path.resolve(import.meta.dirname, "../..");
const docFiles = readdirSync(path.join(projectRoot, "docs"))
  .filter((file) => file.endsWith(".md"))
  .map((file) => `docs/${file}`)
  .sort();
const markdownFiles = ["README.md", ...docFiles];
const read = (file: string) => readFileSync(path.join(projectRoot, file), "utf8");
const readme = read("README.md");
const scripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts);

/** Every token of a Markdown document, nested ones (list items, table cells, inline) included. */
function tokensOf(text: string): Token[] {
  const found: Token[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (value === null || typeof value !== "object") return;
    const node = value as { type?: unknown; tokens?: unknown; items?: unknown; header?: unknown; rows?: unknown };
    if (typeof node.type === "string") found.push(node as Token);
    walk(node.tokens);
    walk(node.items);
    walk(node.header);
    walk(node.rows);
  };
  walk(marked.lexer(text));
  return found;
}

/** The text a heading shows, as GitHub slugs it (code spans and emphasis without their marks). */
function plainText(tokens: Token[] | undefined, raw: string): string {
  if (!tokens) return raw;
  return tokens
    .map((token) => ("tokens" in token && token.tokens ? plainText(token.tokens, "") : "text" in token ? token.text : ""))
    .join("");
}

/** The anchors GitHub gives the headings of a Markdown document (a repeated one gets `-1`, `-2`…). */
function anchorsOf(text: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  for (const token of tokensOf(text)) {
    if (token.type === "heading") anchors.add(slugger.slug(plainText(token.tokens, token.text)));
  }
  return anchors;
}

/** The relative links and images of a Markdown file that do not land: a missing file or heading. */
function brokenLinks(file: string, text: string): string[] {
  const broken: string[] = [];
  for (const token of tokensOf(text)) {
    if (token.type !== "link" && token.type !== "image") continue;
    const href = token.href;
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue; // http(s), mailto: not files of the repository
    const [target = "", anchor] = href.split("#", 2);
    const resolved = target === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURI(target)));
    const absolute = path.join(projectRoot, resolved);
    if (resolved.startsWith("../") || !existsSync(absolute)) {
      broken.push(`${file}: ${href} (no file ${resolved})`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!resolved.endsWith(".md") || statSync(absolute).isDirectory()) {
      broken.push(`${file}: ${href} (an anchor into ${resolved}, which has no headings)`);
      continue;
    }
    if (!anchorsOf(read(resolved)).has(anchor)) broken.push(`${file}: ${href} (no heading #${anchor} in ${resolved})`);
  }
  return broken;
}

describe("README", () => {
  it("happy: stays under 250 lines", () => {
    expect(readme.split("\n").length).toBeLessThan(250);
  });

  it("happy: its first screen is what it is, the picture, the two commands, then where to go next", () => {
    const firstScreen = readme.split("\n").slice(0, 40).join("\n");
    const order = [
      firstScreen.indexOf("](docs/images/home.png)"),
      firstScreen.indexOf("npm ci && npm run demo"),
      firstScreen.indexOf("npm test"),
      firstScreen.indexOf("Where to go next"),
    ];
    for (const at of order) expect(at).toBeGreaterThan(0);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Two sentences say what it is before the picture.
    const intro = firstScreen.slice(firstScreen.indexOf("\n"), order[0]).replace(/!\[[^\]]*$/, "");
    expect(intro.match(/[.!?](\s|$)/g)?.length).toBe(2);
  });

  it("happy: the picture is a PNG of a few hundred KB at most", () => {
    const picture = readFileSync(path.join(projectRoot, "docs/images/home.png"));
    expect(picture.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(picture.length).toBeLessThan(400 * 1024);
  });

  it("happy: links every doc under docs/", () => {
    const linked = new Set(
      tokensOf(readme)
        .filter((token) => token.type === "link")
        .map((token) => (token as { href: string }).href.split("#")[0]),
    );
    expect(docFiles.length).toBeGreaterThanOrEqual(8);
    for (const doc of docFiles) expect(linked, doc).toContain(doc);
  });

  it("happy: every `npm run X`, `npm test` and `npm start` in README and docs is a script of package.json", () => {
    let named = 0;
    for (const file of markdownFiles) {
      for (const match of read(file).matchAll(/\bnpm (?:run(?: -s| --silent)? ([\w:-]+)|(test|start)\b)/g)) {
        const script = match[1] ?? match[2];
        expect(scripts, `${file}: ${match[0]}`).toContain(script);
        named += 1;
      }
    }
    // README alone names demo, test and start.
    expect(named).toBeGreaterThan(10);
    for (const script of ["demo", "test", "start"]) expect(readme).toMatch(new RegExp(`npm (run )?${script}\\b`));
  });
});

describe("links in README.md and docs/*.md", () => {
  it("happy: every relative link and picture lands on a file, and on a heading when it names one", () => {
    let checked = 0;
    for (const file of markdownFiles) {
      expect(brokenLinks(file, read(file)), file).toEqual([]);
      checked += tokensOf(read(file)).filter((token) => token.type === "link" || token.type === "image").length;
    }
    expect(checked).toBeGreaterThan(30);
  });

  it("error: a link to a missing file, a missing heading or outside the repository is reported", () => {
    const text = [
      "[gone](docs/no-such-doc.md), [no heading](docs/webhooks.md#no-such-heading),",
      "[outside](../elsewhere.md), [into code](package.json#scripts), [fine](docs/webhooks.md#try-it-locally),",
      "[web](https://example.org/x.md#y).",
      "",
      "```md",
      "[in a code block](docs/not-a-link.md)",
      "```",
    ].join("\n");
    expect(brokenLinks("README.md", text)).toEqual([
      "README.md: docs/no-such-doc.md (no file docs/no-such-doc.md)",
      "README.md: docs/webhooks.md#no-such-heading (no heading #no-such-heading in docs/webhooks.md)",
      "README.md: ../elsewhere.md (no file ../elsewhere.md)",
      "README.md: package.json#scripts (an anchor into package.json, which has no headings)",
    ]);
  });

  it("happy: a heading's anchor is GitHub's: lower case, marks and punctuation dropped, repeats numbered", () => {
    expect([...anchorsOf("# Deploying to AWS with SST\n## `/` for programs\n## Notes\n## Notes\n")]).toEqual([
      "deploying-to-aws-with-sst",
      "-for-programs",
      "notes",
      "notes-1",
    ]);
  });
});
