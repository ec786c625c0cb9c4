import type { HttpHandler } from '../../lambda/handler';
import type { LocalTracker } from '../../local/runtime';
import { startReceiver } from '../support/receiver';
import { apiEvent, clickIdFrom, scanTable, startTestTracker } from '../support/tracker';

let tracker: LocalTracker;
let click: HttpHandler;
let postback: HttpHandler;

beforeAll(async () => {
  // Thousandths: the 30 s … 8 min backoff of the source-postback worker takes about a second.
  tracker = await startTestTracker({ CONFIG_CACHE_SECONDS: '0' }, 0.001);
  ({ handler: click } = await import('../../lambda/handlers/click'));
  ({ handler: postback } = await import('../../lambda/handlers/postback'));
});
afterAll(() => tracker.close());

async function convertWithSourceAt(url: string, txid: string): Promise<string> {
  await tracker.store.putConfig({
    entityType: 'trafficSource',
    value: { id: 'demo-source', name: 'Demo', parameters: { externalId: 'clickid' }, postbackUrl: `${url}/pb?ext={externalid}&p={payout}` },
  });
  const visit = await click(apiEvent('GET', `/c/demo?clickid=ext-${txid}`));
  const cid = clickIdFrom(String(visit.headers?.location));
  const response = await postback(apiEvent('GET', `/postback?cid=${cid}&txid=${txid}&payout=9`));
  expect(JSON.parse(String(response.body)).status).toBe('converted');
  await tracker.queues.drain();
  return cid;
}

async function sourcePostbackOf(cid: string) {
  return (await scanTable(tracker, 'conversions')).find((item) => item.clickId === cid)?.sourcePostback;
}

describe('traffic-source postbacks', () => {
  it('are retried with backoff until the source answers', async () => {
    const receiver = await startReceiver([500, 503, 200]);
    try {
      const cid = await convertWithSourceAt(receiver.url, 'retry');
      expect(receiver.calls).toHaveLength(3);
      expect(Object.fromEntries(receiver.calls[2].searchParams)).toEqual({ ext: 'ext-retry', p: '9' });
      expect(await sourcePostbackOf(cid)).toMatchObject({ status: 'sent', attempts: 3, httpStatus: 200 });
    } finally {
      await receiver.close();
    }
  });

  it('end in the dead-letter queue after the last try, with the failure recorded on the conversion', async () => {
    const receiver = await startReceiver([500]);
    try {
      const cid = await convertWithSourceAt(receiver.url, 'dead');
      expect(receiver.calls).toHaveLength(6);
      expect(await sourcePostbackOf(cid)).toMatchObject({ status: 'failed', attempts: 6, httpStatus: 500 });
      const dead = tracker.queues.deadLetters('sourcePostbacks').map((body) => JSON.parse(body));
      expect(dead).toEqual([expect.objectContaining({ clickId: cid, attempt: 6 })]);
    } finally {
      await receiver.close();
    }
  });

  it('are recorded as failed when the source cannot be reached at all', async () => {
    const receiver = await startReceiver();
    const url = receiver.url;
    await receiver.close();
    const cid = await convertWithSourceAt(url, 'unreachable');
    expect(await sourcePostbackOf(cid)).toMatchObject({ status: 'failed', attempts: 6, error: expect.any(String) });
  });
});
