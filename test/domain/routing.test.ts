import { Campaign } from '../../lambda/domain/config';
import { VisitorTraits, chooseOffer, pathAt, pickWeighted, selectPath } from '../../lambda/domain/routing';

const campaign: Campaign = {
  id: 'c',
  name: 'C',
  defaultPath: { offers: [{ id: 'default-offer' }] },
  rulePaths: [
    {
      name: 'US or CA on mobile',
      rules: [
        { field: 'country', values: ['US', 'ca'] },
        { field: 'device', values: ['mobile'] },
      ],
      path: { landers: [{ id: 'lander' }], offers: [{ id: 'a', weight: 70 }, { id: 'b', weight: 30 }] },
    },
    { name: 'Android zone 7', rules: [{ field: 'os', values: ['Android'] }, { field: 'var', variable: 'zone', values: ['7'] }], path: { offers: [{ id: 'android' }] } },
    { name: 'Chrome', rules: [{ field: 'browser', values: ['chrome'] }, { field: 'var', variable: 'var2', values: ['x'] }], path: { offers: [{ id: 'chrome' }] } },
  ],
};

function visitor(traits: Partial<Omit<VisitorTraits, 'variable'>>, vars: Record<string, string> = {}): VisitorTraits {
  return { ...traits, variable: (name) => vars[name] };
}

describe('selectPath', () => {
  it('takes the first rule path whose rules all match, values OR-ed and case-insensitive', () => {
    expect(selectPath(campaign, visitor({ country: 'CA', device: 'mobile' })).index).toBe(1);
    expect(selectPath(campaign, visitor({ country: 'US', device: 'mobile', os: 'Android' }, { zone: '7' })).index).toBe(1);
  });

  it('needs every rule of a path (AND) and falls through to the next path', () => {
    expect(selectPath(campaign, visitor({ country: 'US', device: 'desktop', os: 'Android' }, { zone: '7' })).index).toBe(2);
    expect(selectPath(campaign, visitor({ country: 'US', device: 'desktop', os: 'Android' }, { zone: '8' })).index).toBe(0);
  });

  it('matches variables by name or by position, and an absent value never matches', () => {
    expect(selectPath(campaign, visitor({ browser: 'Chrome' }, { var2: 'x' })).index).toBe(3);
    expect(selectPath(campaign, visitor({ browser: 'Chrome' })).index).toBe(0);
    expect(selectPath(campaign, visitor({})).path).toBe(campaign.defaultPath);
  });
});

describe('pickWeighted', () => {
  const items = [{ id: 'a', weight: 70 }, { id: 'b', weight: 30 }, { id: 'never', weight: 0 }];

  it('is deterministic for a seed', () => {
    expect(pickWeighted(items, 'click-1').id).toBe(pickWeighted(items, 'click-1').id);
  });

  it('splits many seeds by the weights and never picks a zero weight', () => {
    const counts: Record<string, number> = { a: 0, b: 0, never: 0 };
    for (let i = 0; i < 20_000; i++) counts[pickWeighted(items, `seed-${i}`).id]++;
    expect(counts.never).toBe(0);
    expect(counts.a / 20_000).toBeGreaterThan(0.68);
    expect(counts.a / 20_000).toBeLessThan(0.72);
  });

  it('weights default to 100 each', () => {
    const counts: Record<string, number> = { x: 0, y: 0 };
    for (let i = 0; i < 10_000; i++) counts[pickWeighted([{ id: 'x' }, { id: 'y' }], `s${i}`).id]++;
    expect(Math.abs(counts.x - counts.y)).toBeLessThan(400);
  });
});

describe('chooseOffer and pathAt', () => {
  it('keeps a direct-link click on its offer', () => {
    expect(chooseOffer({ clickId: 'k', offerId: 'default-offer', pathIndex: 0 }, campaign, 2)).toBe('default-offer');
  });

  it('takes offer n of the click path for /click/n, a weighted one for /click', () => {
    const click = { clickId: 'k', landerId: 'lander', pathIndex: 1 };
    expect(chooseOffer(click, campaign, 2)).toBe('b');
    expect(['a', 'b']).toContain(chooseOffer(click, campaign));
    expect(chooseOffer(click, campaign, 9)).toBe(chooseOffer(click, campaign));
  });

  it('falls back to the default path when the campaign lost the click path', () => {
    expect(pathAt(campaign, 9)).toBe(campaign.defaultPath);
    expect(pathAt(campaign, undefined)).toBe(campaign.defaultPath);
  });
});
