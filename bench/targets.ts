/**
 * One benchmark target per process, so the load generator (the parent) never shares a core's
 * event loop with the server it measures. Prints one JSON line ({ url, ... }) when ready.
 *
 *   bare       — a Node http server answering 302: the floor of any redirect
 *   put-floor  — one conditional PutItem to an in-process dynalite, then 302: the store floor;
 *                its table holds as many items as the tracker's (`clicks`), as dynalite slows with size
 *   tracker    — the local runtime (gateway + handlers + dynalite, without the report
 *                aggregator) with the demo campaign and `clicks` pre-written clicks for postbacks
 *   capacity   — the local runtime, reporting the DynamoDB capacity its handlers consume
 *   report-reads — the local runtime with 30 days of counters, reporting what a report reads
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { seedDemoCampaign } from '../local/demo';
import { createTables, startDynalite } from '../local/dynamodb';
import { startLocalTracker } from '../local/runtime';
import { benchClickIds } from './click-ids';
import { measureCapacity } from './capacity';
import { measureReportReads } from './report-reads';

const OFFER = 'https://offer.example.com/landing';

function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

async function main(kind: string, clickCount: number): Promise<unknown> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  switch (kind) {
    case 'bare':
      return {
        url: await listen((_, response) => {
          response.writeHead(302, { location: OFFER });
          response.end();
        }),
      };
    case 'put-floor': {
      const dynamo = await startDynalite();
      const client = new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      const { clicks } = await createTables(client);
      const ids = benchClickIds(clickCount);
      for (let i = 0; i < ids.length; i += 50) {
        await Promise.all(ids.slice(i, i + 50).map((id) => client.send(new PutItemCommand({ TableName: clicks, Item: { clickId: { S: id } } }))));
      }
      return {
        url: await listen((_, response) => {
          client
            .send(
              new PutItemCommand({
                TableName: clicks,
                Item: { clickId: { S: randomBytes(13).toString('hex') } },
                ConditionExpression: 'attribute_not_exists(clickId)',
              }),
            )
            .then(() => {
              response.writeHead(302, { location: OFFER });
              response.end();
            });
        }),
      };
    }
    case 'tracker': {
      // The report aggregator is a function of its own in AWS, not part of the redirect's cost.
      const tracker = await startLocalTracker({ reports: false });
      await seedDemoCampaign(tracker.store);
      const now = new Date();
      const ids = benchClickIds(clickCount);
      for (let i = 0; i < ids.length; i += 50) {
        await Promise.all(ids.slice(i, i + 50).map((clickId) => tracker.store.putClick({
          clickId,
          campaignId: 'demo',
          offerId: 'demo-offer',
          clickedAt: now.toISOString(),
          expiresAt: Math.floor(now.getTime() / 1000) + 86400,
          ip: '192.0.2.1',
        })));
      }
      return { url: tracker.url };
    }
    case 'capacity':
      return measureCapacity();
    case 'report-reads':
      return measureReportReads();
    default:
      throw new Error(`unknown target ${kind}`);
  }
}

main(process.argv[2], Number(process.argv[3] ?? 0)).then(
  (ready) => console.log(JSON.stringify(ready)),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
