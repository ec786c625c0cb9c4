import { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { TABLES, TableName, TableSchema } from '../lambda/store/tables';

export interface LocalDynamoDb {
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * dynalite, a DynamoDB API implementation, in this process: in memory unless a data directory is
 * given. Tables are created at once (no CREATING state) so start-up is instant.
 */
export async function startDynalite(dataDir?: string): Promise<LocalDynamoDb> {
  const server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Creates the tracker's tables from the same definitions the stack deploys; existing ones are kept. */
export async function createTables(client: DynamoDBClient): Promise<Record<TableName, string>> {
  const names = {} as Record<TableName, string>;
  for (const [table, schema] of Object.entries(TABLES) as [TableName, TableSchema][]) {
    const keySchema = (keys: string[]) => keys.map((name, i) => ({ AttributeName: name, KeyType: i === 0 ? ('HASH' as const) : ('RANGE' as const) }));
    const keys = schema.sortKey ? [schema.partitionKey, schema.sortKey] : [schema.partitionKey];
    const indexes = schema.indexes ?? [];
    const attributes = new Set([...keys, ...indexes.flatMap((index) => [index.partitionKey, index.sortKey])]);
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
          KeySchema: keySchema(keys),
          GlobalSecondaryIndexes:
            indexes.length > 0
              ? indexes.map((index) => ({ IndexName: index.name, KeySchema: keySchema([index.partitionKey, index.sortKey]), Projection: { ProjectionType: 'ALL' } }))
              : undefined,
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ResourceInUseException') throw error;
    }
    names[table] = table;
  }
  return names;
}
