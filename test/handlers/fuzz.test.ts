import fc from 'fast-check';
import type { HttpHandler } from '../../lambda/handler';
import type { LocalTracker } from '../../local/runtime';
import { apiEvent, clickIdFrom, startTestTracker } from '../support/tracker';

let tracker: LocalTracker;
let click: HttpHandler;
let postback: HttpHandler;
let knownClickId: string;

beforeAll(async () => {
  tracker = await startTestTracker();
  ({ handler: click } = await import('../../lambda/handlers/click'));
  ({ handler: postback } = await import('../../lambda/handlers/postback'));
  knownClickId = clickIdFrom(String((await click(apiEvent('GET', '/c/demo'))).headers?.location));
});
afterAll(() => tracker.close());

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/** Values networks and visitors really send, and values nobody should. */
const value = () =>
  fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.constantFrom('OPTIONAL', 'REPLACE', '{payout}', '[txid]', '#sum#', '%7Bx%7D', '', ' ', '-0', '1e9', '12.50', '-3.2', 'EUR', 'usd'),
    fc.constantFrom('\r\nLocation: https://evil.example/', '../../etc/passwd', '<script>', "' OR 1=1 --", '\u0000', 'x'.repeat(5000)),
    fc.double().map(String),
  );

const fields = () =>
  fc.dictionary(fc.constantFrom('cid', 'payout', 'txid', 'et', 'currency', 'secret', 'cost', 'externalid', 'var1', 'zone', 'x'), value(), {
    maxKeys: 8,
  });

function expectJsonOrRedirect(response: Awaited<ReturnType<HttpHandler>>, allowed: number[]): void {
  expect(allowed).toContain(response.statusCode);
  if (response.statusCode === 302) {
    const location = String(response.headers?.location);
    expect(location).not.toMatch(/[\r\n]/);
    expect(new URL(location).host).toBe('offer.example.com');
  } else if (response.headers?.['content-type'] !== 'image/gif') {
    const body = JSON.parse(String(response.body));
    expect(body.error ?? body.status).toEqual(expect.any(String));
    expect(String(response.body)).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+/);
  }
}

describe('fuzzed input never gets a 5xx', () => {
  it('postbacks: any query, body and content type get 2xx or 4xx JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        fields(),
        fc.boolean(),
        fc.constantFrom('GET /postback', 'POST /postback', 'GET /conversion.gif'),
        fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', 'application/xml', 'multipart/form-data', ''),
        fc.oneof(fc.string({ maxLength: 200 }), fc.json()),
        async (query, useKnownClick, route, contentType, rawBody) => {
          const [method, path] = route.split(' ');
          const withClick = useKnownClick ? { ...query, cid: knownClickId } : query;
          const body = method === 'POST' ? (contentType === 'application/x-www-form-urlencoded' ? new URLSearchParams(withClick).toString() : rawBody) : undefined;
          const response = await postback(
            apiEvent(method, `${path}?${new URLSearchParams(withClick)}`, { headers: contentType ? { 'content-type': contentType } : {}, body }),
          );
          expectJsonOrRedirect(response, [200, 202, 400, 403, 404, 413, 415]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('clicks: any campaign path, query and viewer headers get a safe 302 or a 4xx JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        // '.' and '..' are dot segments: the URL itself resolves them away from /c/{campaignId}.
        fc.oneof(fc.constant('demo'), fc.string({ minLength: 1, maxLength: 70 }).filter((id) => id !== '.' && id !== '..')),
        fields(),
        fc.dictionary(
          fc.constantFrom('user-agent', 'referer', 'cloudfront-viewer-country', 'cloudfront-viewer-address', 'x-forwarded-host', 'cloudfront-is-mobile-viewer'),
          value(),
          { maxKeys: 6 },
        ),
        async (campaignId, query, headers) => {
          const target = `/c/${encodeURIComponent(campaignId)}?${new URLSearchParams(query)}`;
          const printable = Object.fromEntries(Object.entries(headers).map(([name, text]) => [name, text.replace(/[^\x20-\x7e]/g, '')]));
          const response = await click(apiEvent('GET', target, { headers: printable }));
          expectJsonOrRedirect(response, [302, 404]);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
