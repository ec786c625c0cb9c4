import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AffiliateNetwork, Campaign, CampaignBundle, Offer, TrafficSource } from '../domain/config';
import { Conversion, StatusChange } from '../domain/postback';
import { Click } from '../domain/visit';
import { requireEnv } from '../env';
import { TABLES, TableName } from './tables';
import { ConfigEntity, ConversionOutcome, PostbackError, TrackerStore } from './tracker-store';

export type TableNames = Readonly<Record<TableName, string>>;

const POSTBACK_ERROR_TTL_SECONDS = 30 * 24 * 3600;
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
    const campaign = await this.getConfig<Campaign>('campaign', campaignId);
    if (!campaign) return undefined;
    const [offer, trafficSource] = await Promise.all([
      this.getOffer(campaign.offerId),
      campaign.trafficSourceId ? this.getConfig<TrafficSource>('trafficSource', campaign.trafficSourceId) : undefined,
    ]);
    if (!offer) throw new Error(`campaign ${campaignId} refers to missing offer ${campaign.offerId}`);
    return { campaign, offer, trafficSource };
  }

  getOffer(offerId: string): Promise<Offer | undefined> {
    return this.getConfig<Offer>('offer', offerId);
  }

  getNetwork(networkId: string): Promise<AffiliateNetwork | undefined> {
    return this.getConfig<AffiliateNetwork>('network', networkId);
  }

  async putConfig(entity: ConfigEntity): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tables.config, Item: { ...entity.value, entityType: entity.entityType } }),
    );
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

  private async getConfig<T>(entityType: ConfigEntity['entityType'], id: string): Promise<T | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tables.config, Key: { entityType, id } }));
    if (!Item) return undefined;
    const { entityType: _type, ...value } = Item;
    return value as T;
  }
}

/** One client per Lambda container, created at module scope so warm invocations reuse it. */
export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
