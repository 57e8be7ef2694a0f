import { listFiles, readBytes, readFeedparserCase, requireCorpus } from "./corpus";
import { type Claim, claimsOf, documentFacts } from "./feedparser-claims";
import { type ProductRead, readThroughProduct } from "./read-through-product";

export type FileOutcome = {
  file: string;
  /** The product threw: never acceptable. */
  crash: string | null;
  read: ProductRead | null;
  claims: Claim[];
};

/** feedparser's Content-Type for a file it serves without a `Header:` line. */
const FEEDPARSER_DEFAULT_TYPE = "text/xml";

/** Runs every file of feedparser's corpus through the product and compares it with the `Expect:` lines. */
export async function runFeedparserCorpus(): Promise<FileOutcome[]> {
  const root = requireCorpus("feedparser");
  const files = listFiles(root, "tests").filter((file) => file.endsWith(".xml"));
  const outcomes: FileOutcome[] = [];
  for (const file of files) {
    const bytes = readBytes(root, file);
    const testCase = readFeedparserCase(file, bytes);
    // Files whose path names http are served over HTTP by feedparser's suite, with their headers.
    const served = file.includes("http");
    const contentType = served
      ? (testCase.headers["content-type"] ?? FEEDPARSER_DEFAULT_TYPE)
      : (testCase.headers["content-type"] ?? null);
    try {
      const read = await readThroughProduct(bytes, contentType, testCase.url);
      const facts = documentFacts(new TextDecoder("utf-8").decode(bytes));
      outcomes.push({ file, crash: null, read, claims: claimsOf(testCase, read, facts) });
    } catch (error) {
      outcomes.push({
        file,
        crash: error instanceof Error ? (error.stack ?? error.message) : String(error),
        read: null,
        claims: [],
      });
    }
  }
  return outcomes;
}
