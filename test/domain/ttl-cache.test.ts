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

  it('tries a failed load again at once, and gives up after the last attempt without keeping the failure', async () => {
    const flaky = jest.fn().mockRejectedValueOnce(new Error('throttled')).mockResolvedValueOnce('ok');
    expect(await new TtlCache<string>(1000, flaky, clock).get('k')).toBe('ok');
    expect(flaky).toHaveBeenCalledTimes(2);

    const down = jest.fn().mockRejectedValue(new Error('down'));
    const cache = new TtlCache<string>(1000, down, clock, 1000, 2);
    await expect(cache.get('k')).rejects.toThrow('down');
    expect(down).toHaveBeenCalledTimes(2);
    down.mockResolvedValueOnce('back');
    expect(await cache.get('k')).toBe('back');
  });

  it('serves the last good value when a refresh fails', async () => {
    const load = jest.fn().mockResolvedValueOnce('v1').mockRejectedValue(new Error('down'));
    const cache = new TtlCache<string>(1000, load, clock, 1000, 1);
    expect(await cache.get('k')).toBe('v1');
    now = 5000;
    expect(await cache.get('k')).toBe('v1');
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
