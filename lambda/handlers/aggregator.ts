import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { ChangeRecord, contributionsByKey, paddedSequence } from '../domain/aggregation';
import { requireEnv } from '../env';
import { logger } from '../handler';
import { streamImage } from '../store/stream-images';
import { TABLES } from '../store/tables';
import { trackerStore } from '../wiring';

const store = trackerStore();
const clicksTable = requireEnv(TABLES.clicks.environmentVariable);
const conversionsTable = requireEnv(TABLES.conversions.environmentVariable);
const PARALLEL_WRITES = 10;

/** A tumbling window gives the event its shard: the watermarks are per shard. */
export type AggregatorEvent = DynamoDBStreamEvent & { shardId?: string };

function changeOf(record: DynamoDBRecord): ChangeRecord | undefined {
  const arn = record.eventSourceARN ?? '';
  const table = arn.includes(`:table/${clicksTable}/`) ? 'clicks' : arn.includes(`:table/${conversionsTable}/`) ? 'conversions' : undefined;
  if (!table) return undefined;
  return {
    table,
    oldImage: streamImage(record.dynamodb?.OldImage),
    newImage: streamImage(record.dynamodb?.NewImage),
    sequence: paddedSequence(record.dynamodb?.SequenceNumber ?? '0'),
  };
}

/**
 * DynamoDB Streams of the clicks and conversions tables → report counters: the batch is folded
 * so each key is written once, with ADD, guarded by a per-shard watermark so a retried batch
 * changes nothing twice. Any failure fails the batch: the event source retries it.
 */
export async function handler(event: AggregatorEvent): Promise<{ state: Record<string, never> }> {
  const changes = event.Records.map(changeOf).filter((change): change is ChangeRecord => change !== undefined);
  const groups = contributionsByKey(changes);
  const shard = event.shardId ?? 'shard';
  for (let i = 0; i < groups.length; i += PARALLEL_WRITES) {
    await Promise.all(groups.slice(i, i + PARALLEL_WRITES).map((group) => store.addCounters(group, shard)));
  }
  logger.debug('aggregated', { records: event.Records.length, keys: groups.length });
  return { state: {} };
}
