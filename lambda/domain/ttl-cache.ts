/**
 * Keeps loaded values (and misses) for a short time, so the click hot path reads config from
 * DynamoDB once per container per TTL instead of once per visit. Concurrent misses share one
 * load; a failed load is tried again at once a few times, and when a refresh still fails the
 * last good value is served, so a bad minute of DynamoDB does not turn visitors away.
 */
interface Entry<V> {
  expiresAt: number;
  value: Promise<V>;
  lastGood?: V;
}

export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

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
    const entry = { expiresAt: this.now() + this.ttlMs, lastGood: cached?.lastGood } as Entry<V>;
    entry.value = this.refresh(key, entry);
    this.entries.set(key, entry);
    return entry.value;
  }

  private async refresh(key: string, entry: Entry<V>): Promise<V> {
    try {
      entry.lastGood = await this.loadWithRetries(key);
      return entry.lastGood;
    } catch (error) {
      if (entry.lastGood !== undefined) return entry.lastGood;
      // Nothing to fall back on: the next request tries again.
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw error;
    }
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
