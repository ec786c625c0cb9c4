import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { TABLES } from '../lambda/store/tables';

export type StreamConsumer = (event: DynamoDBStreamEvent & { shardId: string }) => Promise<unknown>;

const BATCH_SIZE = 100;
const WRITES = /^(Put|Update)(Item)?Command$/;

/**
 * DynamoDB Streams for the local runtime (dynalite has none): every successful put or update the
 * handlers make on a streamed table becomes a stream record with its old and new image, and a
 * poller hands them in order, in batches, to the same consumer module Lambda would run; a failed
 * batch is retried whole, as the event source mapping does. Writes to one item are serialized
 * here so each record's images belong to its own write.
 */
export class LocalStreams {
  private readonly records: DynamoDBRecord[] = [];
  private readonly itemLocks = new Map<string, Promise<unknown>>();
  private sequence = 0;
  private busy = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly tables: Readonly<Record<string, { readonly name: string; readonly keys: readonly string[] }>>,
    private readonly reader: DynamoDBDocumentClient,
    private readonly consumer: StreamConsumer,
  ) {}

  /** Streams the clicks and conversions tables of a local tracker. */
  static forTables(names: Readonly<Record<keyof typeof TABLES, string>>, reader: DynamoDBDocumentClient, consumer: StreamConsumer): LocalStreams {
    const keysOf = (table: keyof typeof TABLES) => {
      const schema = TABLES[table] as { partitionKey: string; sortKey?: string };
      return schema.sortKey ? [schema.partitionKey, schema.sortKey] : [schema.partitionKey];
    };
    return new LocalStreams(
      { clicks: { name: names.clicks, keys: keysOf('clicks') }, conversions: { name: names.conversions, keys: keysOf('conversions') } },
      reader,
      consumer,
    );
  }

  /** Watches the writes a client makes. */
  attach(client: DynamoDBDocumentClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { TableName?: string; Key?: Record<string, unknown>; Item?: Record<string, unknown> };
        const table = Object.values(this.tables).find(({ name }) => name === input.TableName);
        if (!table || !WRITES.test(String(context.commandName))) return next(args);
        const source = input.Key ?? input.Item ?? {};
        const key = Object.fromEntries(table.keys.map((name) => [name, source[name]]));
        const lockKey = `${table.name}|${JSON.stringify(key)}`;
        const previous = this.itemLocks.get(lockKey) ?? Promise.resolve();
        const write = previous.catch(() => undefined).then(async () => {
          const before = await this.read(table.name, key);
          const result = await next(args);
          const after = await this.read(table.name, key);
          if (after && JSON.stringify(before) !== JSON.stringify(after)) this.emit(table.name, key, before, after);
          return result;
        });
        this.itemLocks.set(lockKey, write);
        try {
          return await write;
        } finally {
          if (this.itemLocks.get(lockKey) === write) this.itemLocks.delete(lockKey);
        }
      },
      { step: 'initialize', name: 'localStreams' },
    );
  }

  start(): void {
    this.timer = setInterval(() => void this.deliver(), 5);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Resolves once every record so far has been consumed. */
  async drain(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.records.length > 0 || this.busy || this.itemLocks.size > 0) {
      if (Date.now() > deadline) throw new Error('local streams did not drain in time');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private async read(table: string, key: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.reader.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
    return Item;
  }

  private emit(table: string, key: Record<string, unknown>, before: Record<string, unknown> | undefined, after: Record<string, unknown>): void {
    const options = { removeUndefinedValues: true };
    this.records.push({
      eventID: String(this.sequence + 1),
      eventName: before ? 'MODIFY' : 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: `arn:aws:dynamodb:us-east-1:000000000000:table/${table}/stream/local`,
      dynamodb: {
        Keys: marshall(key, options) as never,
        OldImage: before ? (marshall(before, options) as never) : undefined,
        NewImage: marshall(after, options) as never,
        SequenceNumber: String(++this.sequence),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
  }

  private async deliver(): Promise<void> {
    if (this.busy || this.records.length === 0) return;
    this.busy = true;
    const batch = this.records.slice(0, BATCH_SIZE);
    try {
      await this.consumer({ Records: batch, shardId: 'local' });
      this.records.splice(0, batch.length);
    } catch {
      // Left in place: the next poll retries the same batch, as Lambda's event source mapping does.
    } finally {
      this.busy = false;
    }
  }
}
