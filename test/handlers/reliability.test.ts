import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { HttpHandler } from '../../lambda/handler';
import type { LocalTracker } from '../../local/runtime';
import { apiEvent, clickIdFrom, injectDynamoDbFault, scanTable, startTestTracker } from '../support/tracker';

let tracker: LocalTracker;
let click: HttpHandler;
let postback: HttpHandler;
let documentClient: typeof import('../../lambda/store/dynamo-store').documentClient;

beforeAll(async () => {
  tracker = await startTestTracker();
  ({ handler: click } = await import('../../lambda/handlers/click'));
  ({ handler: postback } = await import('../../lambda/handlers/postback'));
  ({ documentClient } = await import('../../lambda/store/dynamo-store'));
  await click(apiEvent('GET', '/c/demo')); // config cached, as on a warm container
});
afterAll(() => tracker.close());

const isClickWrite = (command: string, input: Record<string, unknown>) =>
  /^Put(Item)?Command$/.test(command) && input.TableName === tracker.tableNames.clicks;

async function clickStored(clickId: string): Promise<boolean> {
  return (await scanTable(tracker, 'clicks')).some((item) => item.clickId === clickId);
}

describe('when the click write fails', () => {
  it('still redirects the visitor, buffers the click and writes it later', async () => {
    let failures = 0;
    const heal = injectDynamoDbFault(documentClient, (command, input) => isClickWrite(command, input) && failures++ < 1);
    let response;
    try {
      response = await click(apiEvent('GET', '/c/demo?clickid=ext-b'));
      expect(response.statusCode).toBe(302);
      await tracker.queues.drain();
    } finally {
      heal();
    }
    expect(failures).toBe(2); // the hot-path write failed; the buffer worker's write was let through
    const cid = clickIdFrom(String(response.headers?.location));
    expect(await clickStored(cid)).toBe(true);
    const converted = await postback(apiEvent('GET', `/postback?cid=${cid}&txid=late`));
    expect(JSON.parse(String(converted.body))).toMatchObject({ status: 'converted', payout: 2.5 });
  });

  it('keeps a postback that arrives before the buffered click is written, and counts it once it is', async () => {
    let failures = 0;
    // The hot-path write and the buffer worker's first two tries fail: DynamoDB has a bad minute.
    const heal = injectDynamoDbFault(documentClient, (command, input) => isClickWrite(command, input) && failures++ < 3);
    try {
      const response = await click(apiEvent('GET', '/c/demo?clickid=ext-early'));
      const cid = clickIdFrom(String(response.headers?.location));

      const early = await postback(apiEvent('GET', `/postback?cid=${cid}&payout=4&txid=early`));
      expect(early.statusCode).toBe(202);
      expect(JSON.parse(String(early.body))).toMatchObject({ status: 'pending', cid });

      await tracker.queues.drain();
      expect(failures).toBeGreaterThanOrEqual(3);
      const conversions = (await scanTable(tracker, 'conversions')).filter((item) => item.clickId === cid);
      expect(conversions).toEqual([expect.objectContaining({ txid: 'early', payout: 4, externalId: 'ext-early' })]);
      expect(tracker.queues.deadLetters('clickBuffer')).toEqual([]);
      expect(tracker.queues.deadLetters('pendingPostbacks')).toEqual([]);
    } finally {
      heal();
    }
  });

  it('still redirects when the buffer queue is down too', async () => {
    let failures = 0;
    const heal = injectDynamoDbFault(documentClient, (command, input) => isClickWrite(command, input) && ++failures > 0);
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).rejects(new Error('SQS unavailable'));
    try {
      const response = await click(apiEvent('GET', '/c/demo'));
      expect(response.statusCode).toBe(302);
      expect(clickIdFrom(String(response.headers?.location))).toMatch(/^[0-9a-z]{26}$/);
      expect(failures).toBe(1);
      expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    } finally {
      sqs.restore();
      heal();
    }
  });
});

describe('a postback for a click that never existed', () => {
  it('is refused at once when its click ID is old', async () => {
    const response = await postback(apiEvent('GET', '/postback?cid=0000000000000000000000zzzz'));
    expect(response.statusCode).toBe(404);
  });
});

describe('the origin secret', () => {
  const secret = 'origin-secret-for-tests';
  beforeAll(() => {
    process.env.ORIGIN_SECRET = secret;
  });
  afterAll(() => {
    delete process.env.ORIGIN_SECRET;
  });

  it('keeps visitors from calling the API domain directly', async () => {
    const direct = await click(apiEvent('GET', '/c/demo'));
    expect(direct.statusCode).toBe(403);
    expect(JSON.parse(String(direct.body))).toEqual({ error: 'visitors must come through the tracking domain' });
    const viaCloudFront = await click(apiEvent('GET', '/c/demo', { headers: { 'x-clickstack-origin': secret } }));
    expect(viaCloudFront.statusCode).toBe(302);
  });

  it('lets networks call the postback on the API domain, trusting only the real peer address', async () => {
    const visit = await click(apiEvent('GET', '/c/demo', { headers: { 'x-clickstack-origin': secret } }));
    const cid = clickIdFrom(String(visit.headers?.location));
    const response = await postback(
      apiEvent('GET', `/postback?cid=${cid}&payout=x`, { headers: { 'cloudfront-viewer-address': '6.6.6.6:1' }, sourceIp: '192.0.2.99' }),
    );
    expect(response.statusCode).toBe(400);
    const logged = (await scanTable(tracker, 'postbackErrors')).find((item) => item.clickId === cid);
    expect(logged).toMatchObject({ ip: '192.0.2.99' });
  });
});
