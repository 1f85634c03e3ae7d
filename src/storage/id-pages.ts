// Blob ids in pages, for the passes that ask the index about every stored blob (start-up recovery, scrub).

/** Blob ids asked about at once: one query per page, not per blob, where the index is a database server. */
const PAGE = 1000;

/** Ids (a blob store's), a page at a time. */
export async function* pagesOf(ids: AsyncIterable<string>): AsyncIterable<string[]> {
  let page: string[] = [];
  for await (const id of ids) {
    page.push(id);
    if (page.length === PAGE) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}
