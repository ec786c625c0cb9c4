import { fillTokens } from '../../lambda/domain/tokens';

describe('fillTokens', () => {
  it('replaces known tokens with URL-encoded values', () => {
    expect(fillTokens('https://o.example/?a={clickid}&b={var1}', { clickid: 'abc', var1: 'x y&z=1#' })).toBe(
      'https://o.example/?a=abc&b=x%20y%26z%3D1%23',
    );
  });

  it('matches token names case-insensitively, except var:name', () => {
    expect(fillTokens('{ClickID}-{var:Zone}-{var:zone}', { clickid: 'c', 'var:Zone': 'Z' })).toBe('c-Z-{var:zone}');
  });

  it('empties known tokens without a value and leaves unknown ones as they are', () => {
    expect(fillTokens('/?e={externalid}&u={unknown}&d={campaign.id}', { externalid: undefined, 'campaign.id': 'c1' })).toBe(
      '/?e=&u={unknown}&d=c1',
    );
  });

  it('cannot inject CRLF or a new URL through a value', () => {
    const filled = fillTokens('https://o.example/p?x={var1}', { var1: '\r\nLocation: https://evil.example/' });
    expect(filled).not.toMatch(/[\r\n]/);
    expect(new URL(filled).host).toBe('o.example');
  });

  it('ignores inherited object properties', () => {
    expect(fillTokens('{constructor}{tostring}', {})).toBe('{constructor}{tostring}');
  });
});
