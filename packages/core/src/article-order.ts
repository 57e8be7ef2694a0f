/** Orders articles by publication time (ties by id), oldest first: the order the matcher reads them in. */
export function byPublication(a: { publishedAt: string; id: string }, b: { publishedAt: string; id: string }): number {
  return a.publishedAt.localeCompare(b.publishedAt) || a.id.localeCompare(b.id);
}
