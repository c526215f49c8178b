// A bounded map that forgets the least recently used entry first (a Map keeps insertion order: a hit moves the
// entry to the end, the first entry is the oldest). What one process keeps per dealer is bounded by it.
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();

  /** `onEvict` is told of an entry that leaves (pushed out, or deleted), not of one replaced under the same key. */
  constructor(
    readonly capacity: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`LruCache: capacity must be a positive integer, got ${capacity}`);
  }

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  /** The entry without making it the most recently used. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) {
      const [oldest, evicted] = this.map.entries().next().value as [K, V];
      this.map.delete(oldest);
      this.onEvict?.(oldest, evicted);
    }
  }

  delete(key: K): void {
    const value = this.map.get(key);
    if (value === undefined) return;
    this.map.delete(key);
    this.onEvict?.(key, value);
  }

  get size(): number {
    return this.map.size;
  }
}
