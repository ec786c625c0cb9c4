import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TrackingTables } from './tracking-tables';
import { TrackerFunction, TrackerFunctionProps } from './tracker-function';

export interface ReportAggregationProps {
  /** Its clicks and conversions tables must have streams. */
  readonly tables: TrackingTables;
  readonly aggregator: Omit<TrackerFunctionProps, 'entry' | 'description'>;
  /**
   * The tumbling window of the event source: the aggregator needs the shard it gives for its
   * per-shard watermarks.
   * @default Duration.seconds(60)
   */
  readonly window?: Duration;
}

/**
 * Report counters off the hot path: the clicks and conversions streams feed an aggregator that
 * folds each batch (up to 1,000 records or 10 seconds) into one counter write per key. Batches
 * that keep failing end in a queue with an alarm; the watermarks make their replay safe.
 */
export class ReportAggregation extends Construct {
  readonly aggregator: TrackerFunction;
  readonly failures: Queue;
  readonly failureAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ReportAggregationProps) {
    super(scope, id);
    this.aggregator = new TrackerFunction(this, 'Aggregator', {
      ...props.aggregator,
      entry: 'handlers/aggregator.ts',
      description: 'Folds click and conversion stream records into report counters',
      timeout: Duration.seconds(60),
    });
    props.tables.grant(this.aggregator, { stats: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'] });
    this.failures = new Queue(this, 'Failures', { retentionPeriod: Duration.days(14), encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the failure destination of the aggregation: it holds the stream positions of batches that could not be counted.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'The DynamoDB stream event source needs dynamodb:ListStreams, which has no resource-level permission (Resource *).',
    });
    for (const table of [props.tables.tables.clicks, props.tables.tables.conversions]) {
      this.aggregator.addEventSource(
        new DynamoEventSource(table, {
          startingPosition: StartingPosition.TRIM_HORIZON,
          batchSize: 1000,
          maxBatchingWindow: Duration.seconds(10),
          tumblingWindow: props.window ?? Duration.seconds(60),
          // A failed batch is retried whole (no bisecting), so every retry starts where it did.
          bisectBatchOnError: false,
          retryAttempts: 100,
          onFailure: new SqsDlq(this.failures),
        }),
      );
    }
    this.failureAlarm = new Alarm(this, 'FailuresAlarm', {
      alarmDescription: 'Stream batches the report aggregator gave up on: reports miss them until replayed',
      metric: this.failures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
