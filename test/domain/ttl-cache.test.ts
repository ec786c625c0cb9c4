import { TtlCache } from '../../lambda/domain/ttl-cache';

describe('TtlCache', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => {
    now = 0;
  });

  it('loads once per key within the TTL, again after it', async () => {
    const load = jest.fn(async (key: string) => `${key}@${now}`);
    const cache = new TtlCache(1000, load, clock);
    expect(await cache.get('a')).toBe('a@0');
    now = 999;
    expect(await cache.get('a')).toBe('a@0');
    now = 1000;
    expect(await cache.get('a')).toBe('a@1000');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('shares one load between concurrent misses and caches misses too', async () => {
    const load = jest.fn(async () => undefined);
    const cache = new TtlCache(1000, load, clock);
    await Promise.all([cache.get('x'), cache.get('x'), cache.get('x')]);
    await cache.get('x');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('does not keep a failed load', async () => {
    const load = jest.fn().mockRejectedValueOnce(new Error('throttled')).mockResolvedValueOnce('ok');
    const cache = new TtlCache<string>(1000, load, clock);
    await expect(cache.get('k')).rejects.toThrow('throttled');
    expect(await cache.get('k')).toBe('ok');
  });

  it('stays bounded', async () => {
    const load = jest.fn(async (key: string) => key);
    const cache = new TtlCache(1000, load, clock, 2);
    await cache.get('a');
    await cache.get('b');
    await cache.get('c');
    await cache.get('a');
    expect(load).toHaveBeenCalledTimes(4);
  });
});
