import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, QueryCommandOutput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CounterKey, KeyContributions, encodeKey, encodedCampaignPrefix, sumAfter } from '../domain/aggregation';
import { CampaignBundle, campaignReferences } from '../domain/config';
import { StatsItem } from '../domain/reports';
import { Conversion, SourcePostbackOutcome, StatusChange } from '../domain/postback';
import { Click } from '../domain/visit';
import { requireEnv } from '../env';
import { TABLES, TableName } from './tables';
import { ConfigEntity, ConversionOutcome, EntityOf, EntityType, Page, PostbackError, RECENT_VISITS, TrackerStore } from './tracker-store';

export type TableNames = Readonly<Record<TableName, string>>;

const POSTBACK_ERROR_TTL_SECONDS = 30 * 24 * 3600;
/**
 * Counter partitions per UTC day. A report over every campaign reads STATS_SHARDS partitions a
 * day however many campaigns there are (a partition per campaign and day wins only below
 * STATS_SHARDS campaigns), and the aggregator's writes for a day spread over as many
 * partitions instead of meeting in one.
 */
export const STATS_SHARDS = 4;
const MAX_LOGGED_REQUEST = 2048;

export class DynamoTrackerStore implements TrackerStore {
  /** Table names from the environment the stack (or the local runtime) gives the function. */
  static fromEnvironment(client: DynamoDBDocumentClient): DynamoTrackerStore {
    const names = Object.fromEntries(
      Object.entries(TABLES).map(([table, schema]) => [table, requireEnv(schema.environmentVariable)]),
    ) as Record<TableName, string>;
    return new DynamoTrackerStore(client, names);
  }

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  async getCampaignBundle(campaignId: string): Promise<CampaignBundle | undefined> {
    const campaign = await this.getConfig('campaign', campaignId);
    if (!campaign) return undefined;
    const references = campaignReferences(campaign);
    const [trafficSource, offers, landers] = await Promise.all([
      campaign.trafficSourceId ? this.getConfig('trafficSource', campaign.trafficSourceId) : undefined,
      Promise.all(references.offers.map((id) => this.getConfig('offer', id))),
      Promise.all(references.landers.map((id) => this.getConfig('lander', id))),
    ]);
    const missing = [
      ...references.offers.filter((_, i) => !offers[i]).map((id) => `offer ${id}`),
      ...references.landers.filter((_, i) => !landers[i]).map((id) => `lander ${id}`),
    ];
    if (missing.length > 0) throw new Error(`campaign ${campaignId} refers to missing ${missing.join(', ')}`);
    return {
      campaign,
      trafficSource,
      offers: Object.fromEntries(offers.map((offer) => [offer!.id, offer!])),
      landers: Object.fromEntries(landers.map((lander) => [lander!.id, lander!])),
    };
  }

  async getConfig<T extends EntityType>(entityType: T, id: string): Promise<EntityOf<T> | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tables.config, Key: { entityType, id } }));
    return (Item ? withoutEntityType(Item) : undefined) as EntityOf<T> | undefined;
  }

  async listConfig<T extends EntityType>(entityType: T): Promise<EntityOf<T>[]> {
    const items = await this.queryAll({
      TableName: this.tables.config,
      KeyConditionExpression: 'entityType = :type',
      ExpressionAttributeValues: { ':type': entityType },
    });
    return items.map((item) => withoutEntityType(item) as EntityOf<T>);
  }

  async putConfig(entity: ConfigEntity): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tables.config, Item: { ...entity.value, entityType: entity.entityType } }),
    );
  }

  async deleteConfig(entityType: EntityType, id: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tables.config, Key: { entityType, id } }));
  }

  async putClick(click: Click): Promise<void> {
    try {
      // Costs no read. A click already there is this click written by an earlier (buffered) try.
      await this.client.send(
        new PutCommand({ TableName: this.tables.clicks, Item: click, ConditionExpression: 'attribute_not_exists(clickId)' }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async getClick(clickId: string): Promise<Click | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tables.clicks, Key: { clickId }, ConsistentRead: true }),
    );
    return Item as Click | undefined;
  }

  async recordClickThrough(clickId: string, offerId: string, at: Date): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tables.clicks,
        Key: { clickId },
        UpdateExpression: 'SET offerId = :offerId, clickedThroughAt = if_not_exists(clickedThroughAt, :at)',
        ConditionExpression: 'attribute_exists(clickId)',
        ExpressionAttributeValues: { ':offerId': offerId, ':at': at.toISOString() },
      }),
    );
  }

  async putConversion(conversion: Conversion): Promise<ConversionOutcome> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tables.conversions,
          Item: conversion,
          ConditionExpression: 'attribute_not_exists(clickId)',
        }),
      );
      return 'converted';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'duplicate';
      throw error;
    }
  }

  async getConversion(clickId: string, conversionKey: string): Promise<Conversion | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tables.conversions, Key: { clickId, conversionKey }, ConsistentRead: true }),
    );
    return Item as Conversion | undefined;
  }

  async changeConversionStatus(existing: Conversion, change: StatusChange): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.conversions,
          Key: { clickId: existing.clickId, conversionKey: existing.conversionKey },
          UpdateExpression:
            'SET #status = :status, eventName = :eventName, payout = :payout, updatedAt = :updatedAt, version = :next' +
            (change.eventType === undefined ? ' REMOVE eventType' : ', eventType = :eventType'),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': change.status,
            ':eventName': change.eventName,
            ':payout': change.payout,
            ':updatedAt': change.updatedAt,
            ':next': existing.version + 1,
            ':expected': existing.version,
            ...(change.eventType === undefined ? {} : { ':eventType': change.eventType }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async recordSourcePostback(clickId: string, conversionKey: string, outcome: SourcePostbackOutcome): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tables.conversions,
        Key: { clickId, conversionKey },
        UpdateExpression: 'SET sourcePostback = :outcome',
        ConditionExpression: 'attribute_exists(clickId)',
        ExpressionAttributeValues: { ':outcome': outcome },
      }),
    );
  }

  async addCounters(group: KeyContributions, shard: string): Promise<void> {
    const { key } = group;
    const Key = statsKey(key);
    const watermark = `w:${shard}`;
    for (let attempt = 0; attempt < 5; attempt++) {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tables.stats, Key, ConsistentRead: true }));
      const applied = Item?.[watermark] as string | undefined;
      const fresh = sumAfter(group.contributions, applied ?? '');
      if (!fresh) return;
      const counters = Object.entries(fresh.counters);
      const names: Record<string, string> = { '#w': watermark };
      const values: Record<string, unknown> = { ':w': fresh.sequence };
      counters.forEach(([name, value], i) => {
        names[`#c${i}`] = name;
        values[`:c${i}`] = value;
      });
      const dimensions = Object.entries(key);
      dimensions.forEach(([name, value], i) => {
        names[`#d${i}`] = name;
        values[`:d${i}`] = value;
      });
      if (applied !== undefined) values[':applied'] = applied;
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tables.stats,
            Key,
            UpdateExpression:
              `SET #w = :w, ${dimensions.map((_, i) => `#d${i} = :d${i}`).join(', ')} ` +
              `ADD ${counters.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
            ConditionExpression: applied === undefined ? 'attribute_not_exists(#w)' : '#w = :applied',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new Error(`counters ${Key.pk} ${Key.sk} kept changing under shard ${shard}`);
  }

  async queryStats(utcDays: readonly string[], campaignIds?: readonly string[]): Promise<StatsItem[]> {
    const TableName = this.tables.stats;
    const queries = campaignIds
      ? campaignIds.flatMap((campaignId) =>
          utcDays.map((day) => ({
            TableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :campaign)',
            ExpressionAttributeValues: { ':pk': `${day}#${statsShard(campaignId)}`, ':campaign': encodedCampaignPrefix(campaignId) },
          })),
        )
      : utcDays.flatMap((day) =>
          Array.from({ length: STATS_SHARDS }, (_, shard) => ({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `${day}#${shard}` } })),
        );
    const pages = await Promise.all(queries.map((query) => this.queryAll(query)));
    return pages.flat() as StatsItem[];
  }

  /** Every item a query matches, page after page. */
  private async queryAll(query: ConstructorParameters<typeof QueryCommand>[0]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page = await this.client.send(new QueryCommand({ ...query, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  async recordRecentVisits(campaignId: string, clicks: readonly Click[]): Promise<void> {
    const Key = { pk: `${campaignId}#recent`, sk: 'visits' };
    for (let attempt = 0; attempt < 5; attempt++) {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tables.stats, Key, ConsistentRead: true }));
      const known = (Item?.latest as Click[] | undefined) ?? [];
      const byId = new Map([...known, ...clicks].map((click) => [click.clickId, click]));
      const visits = [...byId.values()].sort((a, b) => b.clickedAt.localeCompare(a.clickedAt) || b.clickId.localeCompare(a.clickId)).slice(0, RECENT_VISITS);
      const version = Number(Item?.version ?? 0);
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tables.stats,
            Item: { ...Key, latest: visits, version: version + 1 },
            ConditionExpression: Item ? 'version = :version' : 'attribute_not_exists(pk)',
            ExpressionAttributeValues: Item ? { ':version': version } : undefined,
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new Error(`the recent visits of ${campaignId} kept changing`);
  }

  async recentVisits(campaignId: string, limit: number, cursor?: string): Promise<Page<Click>> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tables.stats, Key: { pk: `${campaignId}#recent`, sk: 'visits' } }));
    const visits = (Item?.latest as Click[] | undefined) ?? [];
    const start = cursor ? Number(decodeCursor(cursor)) : 0;
    if (!Number.isInteger(start) || start < 0) throw new BadCursor();
    const end = start + limit;
    return { items: visits.slice(start, end), cursor: end < visits.length ? encodeCursor(end) : undefined };
  }

  latestConversions(campaignId: string, limit: number, cursor?: string): Promise<Page<Conversion>> {
    return this.newestFirst<Conversion>(
      { TableName: this.tables.conversions, IndexName: 'byCampaign', KeyConditionExpression: 'campaignId = :key', ExpressionAttributeValues: { ':key': campaignId } },
      limit,
      cursor,
    );
  }

  postbackErrors(day: string, limit: number, cursor?: string): Promise<Page<Record<string, unknown>>> {
    return this.newestFirst(
      { TableName: this.tables.postbackErrors, KeyConditionExpression: '#day = :key', ExpressionAttributeNames: { '#day': 'day' }, ExpressionAttributeValues: { ':key': day } },
      limit,
      cursor,
    );
  }

  private async newestFirst<T>(query: ConstructorParameters<typeof QueryCommand>[0], limit: number, cursor?: string): Promise<Page<T>> {
    const startKey = cursor ? decodeCursor(cursor) : undefined;
    if (startKey !== undefined && (typeof startKey !== 'object' || startKey === null)) throw new BadCursor();
    let page: QueryCommandOutput;
    try {
      page = await this.client.send(
        new QueryCommand({ ...query, ScanIndexForward: false, Limit: limit, ExclusiveStartKey: startKey as Record<string, unknown> | undefined }),
      );
    } catch (error) {
      if (startKey && (error as Error).name === 'ValidationException') throw new BadCursor();
      throw error;
    }
    return { items: (page.Items ?? []) as T[], cursor: page.LastEvaluatedKey ? encodeCursor(page.LastEvaluatedKey) : undefined };
  }

  async recordPostbackError(error: PostbackError): Promise<void> {
    const at = error.at.toISOString();
    await this.client.send(
      new PutCommand({
        TableName: this.tables.postbackErrors,
        Item: {
          day: at.slice(0, 10),
          errorId: `${at}#${randomBytes(6).toString('hex')}`,
          at,
          reason: error.reason,
          message: error.message,
          clickId: error.clickId,
          ip: error.ip,
          request: error.request.slice(0, MAX_LOGGED_REQUEST),
          expiresAt: Math.floor(error.at.getTime() / 1000) + POSTBACK_ERROR_TTL_SECONDS,
        },
      }),
    );
  }
}

/** Opaque to callers: where the next page starts. */
function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new BadCursor();
  }
}

/** A cursor that is not one of ours. */
export class BadCursor extends Error {}

function withoutEntityType(item: Record<string, unknown>): unknown {
  const { entityType: _entityType, ...value } = item;
  return value;
}

/** Where a key's counters live: the UTC day's partition of its campaign, sorted by campaign first. */
export function statsKey(key: CounterKey): { pk: string; sk: string } {
  return { pk: `${key.hour.slice(0, 10)}#${statsShard(key.campaignId)}`, sk: encodeKey(key) };
}

/** FNV-1a: a campaign's counters always go to the same one of a day's partitions. */
function statsShard(campaignId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < campaignId.length; i++) hash = Math.imul(hash ^ campaignId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % STATS_SHARDS;
}

/** One client per Lambda container, created at module scope so warm invocations reuse it. */
export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
