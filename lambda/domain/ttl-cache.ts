/**
 * Keeps loaded values (and misses) for a short time, so the click hot path reads config from
 * DynamoDB once per container per TTL instead of once per visit. Concurrent misses share one
 * load; a failed load is tried again at once a few times, and when a refresh still fails the
 * last good value is served, so a bad minute of DynamoDB does not turn visitors away.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { expiresAt: number; value: Promise<V>; lastGood?: V }>();

  constructor(
    private readonly ttlMs: number,
    private readonly load: (key: string) => Promise<V>,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 1000,
    private readonly attempts = 3,
  ) {}

  get(key: string): Promise<V> {
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const lastGood = cached?.lastGood;
    const entry: { expiresAt: number; value: Promise<V>; lastGood?: V } = { expiresAt: this.now() + this.ttlMs, value: Promise.resolve() as Promise<V>, lastGood };
    entry.value = this.loadWithRetries(key).then(
      (value) => {
        entry.lastGood = value;
        return value;
      },
      (error: unknown) => {
        if (lastGood !== undefined) return lastGood;
        // Nothing to fall back on: the next request tries again.
        if (this.entries.get(key) === entry) this.entries.delete(key);
        throw error;
      },
    );
    this.entries.set(key, entry);
    return entry.value;
  }

  private async loadWithRetries(key: string): Promise<V> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.load(key);
      } catch (error) {
        if (attempt >= this.attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
      }
    }
  }
}
