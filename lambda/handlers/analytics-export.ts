import { FirehoseClient, PutRecordBatchCommand, _Record } from '@aws-sdk/client-firehose';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { clickRow, conversionRow } from '../domain/analytics';
import { requireEnv } from '../env';
import { logger } from '../handler';
import { streamImage } from '../store/stream-images';
import { TABLES } from '../store/tables';

const firehose = new FirehoseClient({});
const targets = [
  { table: requireEnv(TABLES.clicks.environmentVariable), stream: requireEnv('CLICKS_DELIVERY_STREAM'), toRow: clickRow },
  { table: requireEnv(TABLES.conversions.environmentVariable), stream: requireEnv('CONVERSIONS_DELIVERY_STREAM'), toRow: conversionRow },
];
const MAX_BATCH = 500;

async function put(stream: string, records: _Record[]): Promise<void> {
  let pending = records;
  for (let attempt = 0; attempt < 3 && pending.length > 0; attempt++) {
    const { RequestResponses = [] } = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: stream, Records: pending }));
    pending = pending.filter((_, i) => RequestResponses[i]?.ErrorCode);
  }
  if (pending.length > 0) throw new Error(`${pending.length} records not accepted by ${stream}`);
}

/**
 * DynamoDB Streams of the clicks and conversions tables → Firehose (→ Parquet in S3, partitioned
 * by day). Every new item image becomes a row; conversions keep each version, queries take the
 * latest. A failed batch is retried by the event source mapping: the lake is at-least-once.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<void> {
  const rows = new Map<string, _Record[]>();
  for (const record of event.Records) {
    const item = streamImage(record.dynamodb?.NewImage);
    const target = targets.find(({ table }) => record.eventSourceARN?.includes(`:table/${table}/stream/`));
    if (!item || !target) continue;
    const list = rows.get(target.stream) ?? [];
    list.push({ Data: Buffer.from(`${JSON.stringify(target.toRow(item))}\n`) });
    rows.set(target.stream, list);
  }
  for (const [stream, records] of rows) {
    for (let i = 0; i < records.length; i += MAX_BATCH) await put(stream, records.slice(i, i + MAX_BATCH));
  }
  logger.debug('exported', { records: event.Records.length });
}
