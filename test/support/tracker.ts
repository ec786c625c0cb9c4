import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { TableName } from '../../lambda/store/tables';
import { ROUTES } from '../../lambda/routes';
import { seedDemoCampaign } from '../../local/demo';
import { apiGatewayEvent, matchRoute } from '../../local/gateway';
import { LocalTracker, startLocalTracker } from '../../local/runtime';

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

export interface EventInit {
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly sourceIp?: string;
}

/** An API Gateway v2 event for one of the stack's routes, built as the local gateway builds it. */
export function apiEvent(method: string, target: string, init: EventInit = {}): APIGatewayProxyEventV2 {
  const url = new URL(target, 'http://localhost');
  const match = matchRoute(ROUTES, method, url.pathname);
  if (!match) throw new Error(`no route for ${method} ${url.pathname}`);
  return apiGatewayEvent(
    {
      method,
      url,
      headers: init.headers ?? {},
      body: init.body === undefined ? undefined : Buffer.from(init.body),
      sourceIp: init.sourceIp ?? '203.0.113.1',
    },
    match,
  );
}

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

/**
 * Makes matching DynamoDB calls of a client fail as a throttled DynamoDB would, before they are
 * sent (so the SDK's own retries do not hide them). Returns the function that removes the fault.
 */
export function injectDynamoDbFault(
  client: DynamoDBDocumentClient,
  matches: (commandName: string, input: Record<string, unknown>) => boolean,
): () => void {
  const name = `fault-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (matches(String(context.commandName), args.input as Record<string, unknown>)) {
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: 'ProvisionedThroughputExceededException',
          $fault: 'client',
        });
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return () => client.middlewareStack.remove(name);
}
