/** Runs `fn` over `items`, at most `concurrency` at once, and returns the results in the items' order. */
export async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const mine = next++;
        out[mine] = await fn(items[mine]!, mine);
      }
    }),
  );
  return out;
}
