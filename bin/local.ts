import { parseArgs } from 'node:util';
import { DEMO_CAMPAIGN_ID, seedDemoCampaign } from '../local/demo';
import { startLocalTracker } from '../local/runtime';
import { DASHBOARD_PATH } from '../dashboard/site';

const USAGE = `usage: npm start -- [--port 3000] [--host 127.0.0.1] [--data-dir ./.local-data]
  PORT, HOST and DATA_DIR work too. Without a data directory, data lives in memory.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.PORT ?? '3000' },
      host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
      'data-dir': { type: 'string', default: process.env.DATA_DIR },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got '${values.port}'`);

  // Structured handler logs are for CloudWatch; locally only warnings and errors are worth a line.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const tracker = await startLocalTracker({ port, host: values.host, dataDir: values['data-dir'] });
  await seedDemoCampaign(tracker.store);

  console.log(`clickstack is running locally at ${tracker.url} (DynamoDB: dynalite, ${values['data-dir'] ? `data in ${values['data-dir']}` : 'in memory'})

Campaign URL (the traffic source's click ID, cost and zone as parameters):
  ${tracker.url}/c/${DEMO_CAMPAIGN_ID}?clickid=ts-click-1&cost=0.05&zone=z42

Postback URL to give an affiliate network:
  ${tracker.url}/postback?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL

Dashboard (reports, tracking links, postback errors; the link signs you in):
  ${tracker.url}${DASHBOARD_PATH}#token=${tracker.managementToken}

Management API token (for the CLI: CLICKSTACK_URL=${tracker.url} CLICKSTACK_TOKEN=<token> npx clickstack list campaigns):
  ${tracker.managementToken}

Try it:
  curl -si '${tracker.url}/c/${DEMO_CAMPAIGN_ID}?clickid=ts-click-1&cost=0.05&zone=z42' | grep -i '^location'
  curl -s '${tracker.url}/postback?cid=<sub1 from the location>&payout=2.50&txid=order-1'

Ctrl-C stops it.`);

  const stop = (): void => {
    tracker.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(`clickstack: ${error.message}`);
  process.exit(1);
});
