import { clickIdSeconds, newClickId, normalizeClickId } from '../../lambda/domain/click-id';

describe('click IDs', () => {
  it('are 26 URL-safe characters', () => {
    const id = newClickId();
    expect(id).toMatch(/^[0-9a-z]{26}$/);
    expect(encodeURIComponent(id)).toBe(id);
  });

  it('differ when only the random part differs', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    expect(newClickId(now, Buffer.alloc(12, 1))).not.toBe(newClickId(now, Buffer.alloc(12, 2)));
  });

  it('do not repeat across many draws', () => {
    const ids = new Set(Array.from({ length: 50_000 }, () => newClickId()));
    expect(ids.size).toBe(50_000);
  });

  it('carry 96 random bits: every random bit changes the ID', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    const base = newClickId(now, Buffer.alloc(12, 0));
    for (let bit = 0; bit < 96; bit++) {
      const random = Buffer.alloc(12, 0);
      random[bit >> 3] = 1 << (bit & 7);
      expect(newClickId(now, random)).not.toBe(base);
    }
  });

  it('sort by the second they were minted in', () => {
    const earlier = newClickId(new Date('2026-11-24T12:00:00Z'), Buffer.alloc(12, 0xff));
    const later = newClickId(new Date('2026-11-24T12:00:01Z'), Buffer.alloc(12, 0));
    expect(earlier < later).toBe(true);
  });

  it('normalize case and refuse what we cannot have issued', () => {
    const id = newClickId();
    expect(normalizeClickId(id.toUpperCase())).toBe(id);
    expect(normalizeClickId(` ${id} `)).toBe(id);
    expect(normalizeClickId(id.slice(1))).toBeUndefined();
    expect(normalizeClickId(`${id.slice(1)}u`)).toBeUndefined(); // 'u' is not in the alphabet
    expect(normalizeClickId('')).toBeUndefined();
  });
});

describe('clickIdSeconds', () => {
  it('reads back the second a click ID was minted in', () => {
    const minted = new Date('2026-11-24T12:34:56Z');
    expect(clickIdSeconds(newClickId(minted))).toBe(minted.getTime() / 1000);
  });
});
