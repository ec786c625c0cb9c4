import type { HttpHandler } from '../../lambda/handler';
import type { LocalTracker } from '../../local/runtime';
import { apiEvent, clickIdFrom, startTestTracker } from '../support/tracker';

let tracker: LocalTracker;
let click: HttpHandler;
let postback: HttpHandler;

beforeAll(async () => {
  // Metrics on, as in Lambda: they are EMF lines on stdout that CloudWatch turns into metrics.
  tracker = await startTestTracker({ POWERTOOLS_METRICS_DISABLED: 'false' });
  ({ handler: click } = await import('../../lambda/handlers/click'));
  ({ handler: postback } = await import('../../lambda/handlers/postback'));
});
afterAll(() => tracker.close());

async function emitted(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    write.mockRestore();
  }
  return lines.flatMap((line) => line.split('\n')).filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line));
}

describe('metrics', () => {
  it('counts visits, clicks and conversions in the clickstack namespace', async () => {
    let cid = '';
    const visit = await emitted(async () => {
      cid = clickIdFrom(String((await click(apiEvent('GET', '/c/demo'))).headers?.location));
    });
    expect(visit).toEqual([expect.objectContaining({ service: 'clickstack', visits: 1, clicks: 1 })]);
    expect(JSON.stringify(visit[0]._aws)).toContain('"Namespace":"clickstack"');

    const converted = await emitted(() => postback(apiEvent('GET', `/postback?cid=${cid}`)));
    expect(converted).toEqual([expect.objectContaining({ conversions: 1 })]);
  });

  it('counts refused postbacks by reason', async () => {
    const refused = await emitted(() => postback(apiEvent('GET', '/postback?cid=0000000000000000000000zzzz')));
    expect(refused).toEqual([expect.objectContaining({ postbackErrors: 1, reason: 'unknown-click' })]);
  });
});
