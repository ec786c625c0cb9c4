import { performance } from 'node:perf_hooks';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { HttpHandler } from '../lambda/handler';
import { TABLES } from '../lambda/store/tables';
import { routeEvent } from '../local/gateway';

export interface HandlerCost {
  readonly name: string;
  readonly microsPerCall: number;
}

const ITEMS: Record<string, Record<string, unknown>> = {
  campaign: { entityType: 'campaign', id: 'demo', name: 'Demo', trafficSourceId: 'demo-source', defaultPath: { offers: [{ id: 'demo-offer' }] } },
  offer: { entityType: 'offer', id: 'demo-offer', name: 'Offer', url: 'https://offer.example.com/?s={clickid}&z={var1}', payout: 2 },
  trafficSource: { entityType: 'trafficSource', id: 'demo-source', name: 'Source', parameters: { externalId: 'clickid', vars: ['zone'] } },
  click: {
    clickId: '3b0qbej7chv6f5278jttkgnnvd',
    campaignId: 'demo',
    offerId: 'demo-offer',
    clickedAt: new Date().toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + 86400,
    ip: '192.0.2.1',
  },
};

/**
 * A DynamoDB endpoint that answers at once, in the client's own HTTP layer: everything the
 * handler and the SDK do (marshalling, signing, parsing) is measured, the network is not.
 */
function zeroLatencyDynamoDb(request: { headers: Record<string, string>; body: string | Uint8Array }) {
  const target = request.headers['x-amz-target'] ?? '';
  let body = '{}';
  if (target.endsWith('GetItem')) {
    const key = JSON.parse(typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body)).Key as { entityType?: { S: string } };
    const item = key.entityType ? ITEMS[key.entityType.S] : ITEMS.click;
    body = JSON.stringify({ Item: marshall(item) });
  }
  return {
    response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Buffer.from(body) },
  };
}

function event(method: string, target: string) {
  return routeEvent(method, target, { headers: { 'user-agent': 'bench' }, sourceIp: '192.0.2.1' });
}

async function timePerCall(
  name: string,
  handler: HttpHandler,
  makeEvent: (i: number) => ReturnType<typeof event>,
  calls: number,
  expectedStatus: number,
) {
  // Timing an error path would flatter the handler: check it answers as it should first.
  const { statusCode, body } = await handler(makeEvent(-1));
  if (statusCode !== expectedStatus) throw new Error(`${name} answered ${statusCode} ${body}, not ${expectedStatus}`);
  for (let i = 0; i < 2000; i++) await handler(makeEvent(i));
  const started = performance.now();
  for (let i = 0; i < calls; i++) await handler(makeEvent(i));
  return { name, microsPerCall: ((performance.now() - started) * 1000) / calls };
}

/** µs per handler call in this process, against a handler that only answers 302. */
export async function measureHandlerCost(calls: number): Promise<HandlerCost[]> {
  // EMF metrics off: in Lambda they are one stdout line per invocation; here they would flood the console.
  Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  for (const table of Object.values(TABLES)) process.env[table.environmentVariable] = table.environmentVariable;
  const { documentClient } = await import('../lambda/store/dynamo-store');
  documentClient.config.requestHandler = { handle: async (request: never) => zeroLatencyDynamoDb(request) } as never;
  const { httpHandler } = await import('../lambda/handler');
  const { redirect } = await import('../lambda/http');
  const { handler: click } = await import('../lambda/handlers/click');
  const { handler: postback } = await import('../lambda/handlers/postback');
  const bare302 = httpHandler(async () => redirect('https://offer.example.com/'));

  const clickEvent = event('GET', '/c/demo?clickid=ts-1&zone=z1');
  const clickId = ITEMS.click.clickId as string;
  return [
    await timePerCall('302-only handler (baseline)', bare302, () => clickEvent, calls, 302),
    await timePerCall('click handler', click, () => clickEvent, calls, 302),
    await timePerCall('postback handler', postback, (i) => event('GET', `/postback?cid=${clickId}&payout=1&txid=${i}`), calls, 200),
  ];
}
