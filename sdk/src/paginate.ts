interface Page<Node> {
  edges: ReadonlyArray<{ node: Node }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Yields every node, asking for the next page (`after: endCursor`) only when the last one is used up. */
export async function* paginate<Node>(fetchPage: (after: string | undefined) => Promise<Page<Node>>): AsyncGenerator<Node, void, undefined> {
  let after: string | undefined;
  for (;;) {
    const page = await fetchPage(after);
    for (const edge of page.edges) yield edge.node;
    const next = page.pageInfo.endCursor;
    // A cursor that does not move would loop for ever; stop instead.
    if (!page.pageInfo.hasNextPage || !next || next === after || page.edges.length === 0) return;
    after = next;
  }
}
