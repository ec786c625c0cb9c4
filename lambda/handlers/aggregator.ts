import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { ChangeRecord, contributionsByKey, paddedSequence } from '../domain/aggregation';
import { requireEnv } from '../env';
import { logger } from '../handler';
import { streamImage } from '../store/stream-images';
import { TABLES } from '../store/tables';
import { RECENT_VISITS } from '../store/tracker-store';
import { Click } from '../domain/visit';
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
 * changes nothing twice; and each campaign's latest visits. Any failure fails the batch: the
 * event source retries it.
 */
export async function handler(event: AggregatorEvent): Promise<{ state: Record<string, never> }> {
  const changes = event.Records.map(changeOf).filter((change): change is ChangeRecord => change !== undefined);
  const groups = contributionsByKey(changes);
  const shard = event.shardId ?? 'shard';
  for (let i = 0; i < groups.length; i += PARALLEL_WRITES) {
    await Promise.all(groups.slice(i, i + PARALLEL_WRITES).map((group) => store.addCounters(group, shard)));
  }
  const newVisits = new Map<string, Click[]>();
  for (const change of changes) {
    if (change.table !== 'clicks' || change.oldImage || !change.newImage) continue;
    const click = change.newImage as unknown as Click;
    newVisits.set(click.campaignId, [...(newVisits.get(click.campaignId) ?? []), click].slice(-RECENT_VISITS));
  }
  for (const [campaignId, clicks] of newVisits) await store.recordRecentVisits(campaignId, clicks);
  logger.debug('aggregated', { records: event.Records.length, keys: groups.length });
  return { state: {} };
}
