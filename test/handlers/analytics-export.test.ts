import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { TABLES } from '../../lambda/store/tables';

const firehose = mockClient(FirehoseClient);
let handler: (event: DynamoDBStreamEvent) => Promise<void>;

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    CLICKS_DELIVERY_STREAM: 'clicks-stream',
    CONVERSIONS_DELIVERY_STREAM: 'conversions-stream',
  });
  for (const [name, table] of Object.entries(TABLES)) process.env[table.environmentVariable] = `stack-${name}-ABC`;
  ({ handler } = await import('../../lambda/handlers/analytics-export'));
});
afterEach(() => firehose.reset());

function record(table: string, image: Record<string, unknown>, eventName: DynamoDBRecord['eventName'] = 'INSERT'): DynamoDBRecord {
  return {
    eventName,
    eventSourceARN: `arn:aws:dynamodb:us-east-1:111122223333:table/stack-${table}-ABC/stream/2026-11-24T00:00:00.000`,
    dynamodb: { NewImage: marshall(image, { removeUndefinedValues: true }) as never, SequenceNumber: '1' },
  };
}

const sent = (stream: string) =>
  firehose
    .commandCalls(PutRecordBatchCommand)
    .filter((call) => call.args[0].input.DeliveryStreamName === stream)
    .flatMap((call) => call.args[0].input.Records!.map((entry) => JSON.parse(Buffer.from(entry.Data!).toString())));

describe('analytics export', () => {
  it('flattens new images into rows of the Glue columns, per table', async () => {
    firehose.on(PutRecordBatchCommand).resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: '1' }] });
    await handler({
      Records: [
        record('clicks', { clickId: 'c1', campaignId: 'camp', clickedAt: '2026-11-24T10:00:00Z', cost: 0.02, vars: { var1: 'zone-7' }, userAgent: 'UA' }),
        record('conversions', { clickId: 'c1', conversionKey: '#t', payout: 5, version: 2, sourcePostback: { status: 'sent' } }, 'MODIFY'),
        { eventName: 'REMOVE', eventSourceARN: 'arn:aws:dynamodb:us-east-1:1:table/stack-clicks-ABC/stream/x', dynamodb: {} },
      ],
    });
    const [click] = sent('clicks-stream');
    expect(click).toMatchObject({ clickId: 'c1', campaignId: 'camp', cost: 0.02, var1: 'zone-7', var2: null, userAgent: 'UA' });
    expect(sent('conversions-stream')).toEqual([expect.objectContaining({ clickId: 'c1', payout: 5, version: 2, sourcePostbackStatus: 'sent', status: null })]);
  });

  it('retries records Firehose refused, and fails the batch when they stay refused', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce({ FailedPutCount: 1, RequestResponses: [{ ErrorCode: 'ServiceUnavailableException' }] })
      .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'ok' }] });
    await handler({ Records: [record('clicks', { clickId: 'c2' })] });
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(2);

    firehose.reset();
    firehose.on(PutRecordBatchCommand).resolves({ FailedPutCount: 1, RequestResponses: [{ ErrorCode: 'ServiceUnavailableException' }] });
    await expect(handler({ Records: [record('clicks', { clickId: 'c3' })] })).rejects.toThrow('1 records not accepted by clicks-stream');
  });
});
