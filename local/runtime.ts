import { createHash, randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { Server } from 'node:http';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HttpHandler } from '../lambda/handler';
import { FUNCTIONS, FunctionName, QUEUES, ROUTES } from '../lambda/routes';
import { DynamoTrackerStore } from '../lambda/store/dynamo-store';
import { TABLES } from '../lambda/store/tables';
import { createTables, startDynalite } from './dynamodb';
import { localDashboard } from './dashboard';
import { createGateway } from './gateway';
import { LocalSqs, QueueWorker } from './sqs';
import { LocalStreams, StreamConsumer } from './streams';

export interface LocalTrackerOptions {
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** dynalite's LevelDB directory. @default in memory */
  readonly dataDir?: string;
  /** Extra environment for the handlers, e.g. CONFIG_CACHE_SECONDS. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Scales queue delays and visibility timeouts (0.01: 30 s become 0.3 s). @default 1 */
  readonly queueTimeScale?: number;
  /** Bearer token of the management API. @default - a random one */
  readonly managementToken?: string;
  /**
   * Run the report aggregator on local stream records. In AWS it is a function of its own; the
   * benchmark switches it off to measure the hot path alone. @default true
   */
  readonly reports?: boolean;
}

export interface LocalTracker {
  readonly url: string;
  /** A store on the same tables, for seeding and for checking what the handlers wrote. */
  readonly store: DynamoTrackerStore;
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableNames: Readonly<Record<keyof typeof TABLES, string>>;
  /** The local SQS: drain it to wait for buffered clicks and pending postbacks. */
  readonly queues: LocalSqs;
  /** The local DynamoDB Streams feeding the report aggregator. */
  readonly streams: LocalStreams;
  /** Waits until queues and streams have nothing left to do (each can feed the other). */
  settle(): Promise<void>;
  readonly managementToken: string;
  close(): Promise<void>;
}

/**
 * The tracker on this machine: dynalite in process, the stack's tables, a local API Gateway
 * serving the stack's routes, a local SQS feeding the stack's queue workers and local streams
 * feeding the report aggregator, all with the Lambda handler modules themselves.
 *
 * Handlers configure themselves from the environment at import, as in Lambda, so this sets the
 * environment first and imports them after; one tracker per process.
 */
export async function startLocalTracker(options: LocalTrackerOptions = {}): Promise<LocalTracker> {
  const dynamo = await startDynalite(options.dataDir);
  const queues = new LocalSqs(options.queueTimeScale);
  await queues.start();
  const managementToken = options.managementToken ?? randomBytes(24).toString('base64url');
  Object.assign(process.env, {
    // EMF metrics are for CloudWatch; locally they would only be noise on stdout.
    POWERTOOLS_METRICS_DISABLED: 'true',
    MANAGEMENT_TOKEN_SHA256: createHash('sha256').update(managementToken).digest('hex'),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SQS: queues.endpoint,
    ...Object.fromEntries(Object.entries(QUEUES).map(([name, queue]) => [queue.urlVariable, queues.queueUrl(name)])),
    ...options.environment,
  });
  const client = new DynamoDBClient({});
  const tableNames = await createTables(client);
  for (const [table, schema] of Object.entries(TABLES)) {
    process.env[schema.environmentVariable] = tableNames[table as keyof typeof TABLES];
  }

  const handlers = new Map<FunctionName, HttpHandler>();
  for (const [name, { entry }] of Object.entries(FUNCTIONS) as [FunctionName, { entry: string }][]) {
    const module = (await import(join(__dirname, '..', 'lambda', entry))) as { handler: HttpHandler };
    handlers.set(name, module.handler);
  }
  for (const [name, queue] of Object.entries(QUEUES)) {
    const module = (await import(join(__dirname, '..', 'lambda', queue.entry))) as { handler: QueueWorker };
    queues.addQueue(name, queue, module.handler);
  }
  const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const aggregator = (await import(join(__dirname, '..', 'lambda', 'handlers', 'aggregator'))) as { handler: StreamConsumer };
  const handlerClient = (await import(join(__dirname, '..', 'lambda', 'store', 'dynamo-store'))) as { documentClient: DynamoDBDocumentClient };
  const streams = LocalStreams.forTables(tableNames, documentClient, aggregator.handler);
  if (options.reports ?? true) {
    streams.attach(handlerClient.documentClient);
    streams.start();
  }
  const settle = async () => {
    for (let round = 0; round < 3; round++) {
      await queues.drain();
      await streams.drain();
    }
  };
  const server: Server = createGateway(ROUTES, (route) => handlers.get(route.function)!, localDashboard());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;

  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    store: new DynamoTrackerStore(documentClient, tableNames),
    documentClient,
    tableNames,
    queues,
    streams,
    settle,
    managementToken,
    close: async () => {
      streams.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await queues.close();
      client.destroy();
      await dynamo.close();
    },
  };
}
