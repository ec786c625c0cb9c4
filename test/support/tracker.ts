import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { TableName } from '../../lambda/store/tables';
import { seedDemoCampaign } from '../../local/demo';
import { routeEvent } from '../../local/gateway';
import { LocalTracker, startLocalTracker } from '../../local/runtime';

export { injectDynamoDbFault } from '../../local/faults';

/** The local runtime (dynalite in process, the stack's tables) with the demo campaign seeded. */
export async function startTestTracker(environment: Record<string, string> = {}, queueTimeScale = 0.01): Promise<LocalTracker> {
  const tracker = await startLocalTracker({
    environment: { POWERTOOLS_LOG_LEVEL: 'SILENT', ...environment },
    // Queue delays and visibility timeouts scaled down: at 0.01, 30 s retries take 0.3 s.
    queueTimeScale,
  });
  await seedDemoCampaign(tracker.store);
  return tracker;
}

/** An API Gateway v2 event for one of the stack's routes, built as the local gateway builds it. */
export const apiEvent = routeEvent;

export async function scanTable(tracker: LocalTracker, table: TableName): Promise<Record<string, unknown>[]> {
  const { Items } = await tracker.documentClient.send(new ScanCommand({ TableName: tracker.tableNames[table] }));
  return Items ?? [];
}

/** The click ID the demo offer URL carries as `sub1`. */
export function clickIdFrom(location: string | undefined): string {
  const clickId = new URL(location ?? '').searchParams.get('sub1');
  if (!clickId) throw new Error(`no click ID in ${location}`);
  return clickId;
}
