import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { IGrantable } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QueueDefinition } from '../lambda/routes';
import { TrackerFunction, TrackerFunctionProps } from './tracker-function';

export interface WorkQueueProps {
  readonly definition: QueueDefinition;
  /** For the worker; entry and description come from the definition. */
  readonly worker: Omit<TrackerFunctionProps, 'entry' | 'description'>;
}

/**
 * Work that must happen at least once: an SQS queue, the worker that drains it (partial batch
 * failures retried after the visibility timeout), a dead-letter queue for what exhausted its
 * tries, and an alarm as soon as anything lands there.
 */
export class WorkQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly worker: TrackerFunction;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    const { definition } = props;
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is the dead-letter queue; a dead-letter queue of its own would hide failures rather than show them.',
    });
    this.queue = new Queue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
    });
    this.worker = new TrackerFunction(this, 'Worker', {
      ...props.worker,
      entry: definition.entry,
      description: definition.description,
      // Well inside the visibility timeout, so a slow batch is not delivered twice at once.
      timeout: Duration.seconds(Math.floor(definition.visibilityTimeoutSeconds / 6)),
    });
    this.worker.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));
    this.deadLetterAlarm = new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: `${definition.description}: messages gave up and wait in the dead-letter queue`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  grantSend(grantee: IGrantable): void {
    this.queue.grantSendMessages(grantee);
  }
}
