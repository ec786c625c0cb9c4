import { Duration, Validations } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface TrackingObservabilityProps {
  readonly api: HttpApi;
  /** Functions by a short name, for widget labels and alarm descriptions. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** The function whose duration is the redirect's own latency. */
  readonly clickFunction: IFunction;
  readonly tables: Readonly<Record<string, Table>>;
  readonly deadLetterQueues: Readonly<Record<string, Queue>>;
  /** Alarms made elsewhere that should notify too (the dead-letter alarms). */
  readonly extraAlarms?: readonly Alarm[];
  /** Where alarms go: an SNS topic with this email subscribed. @default - alarms without notification */
  readonly alarmEmail?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/** One dashboard with what an operator looks at first, and alarms on what should page someone. */
export class TrackingObservability extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  readonly topic?: Topic;

  constructor(scope: Construct, id: string, props: TrackingObservabilityProps) {
    super(scope, id);
    const { api } = props;
    const custom = (metricName: string, label: string) =>
      new Metric({ namespace: 'clickstack', metricName, dimensionsMap: { service: 'clickstack' }, statistic: 'Sum', period: Duration.minutes(1), label });
    // Read and write throttle events carry only the table dimension; ids are unique per table so
    // the expressions can share one graph.
    const dynamoThrottles = Object.entries(props.tables).map(
      ([name, table], i) =>
        new MathExpression({
          expression: `r${i} + w${i}`,
          usingMetrics: {
            [`r${i}`]: table.metric('ReadThrottleEvents', { statistic: 'Sum', period: FIVE_MINUTES }),
            [`w${i}`]: table.metric('WriteThrottleEvents', { statistic: 'Sum', period: FIVE_MINUTES }),
          },
          period: FIVE_MINUTES,
          label: name,
        }),
    );
    const fns = Object.entries(props.functions);

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(6) });
    this.dashboard.addWidgets(
      new TextWidget({ markdown: '# clickstack\nRedirects, postbacks, functions, tables and queues. Alarms notify the alarm topic when one is configured.', width: 24, height: 2 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Redirect latency (click function, ms)',
        left: [props.clickFunction.metricDuration({ statistic: 'p50', label: 'p50' }), props.clickFunction.metricDuration({ statistic: 'p99', label: 'p99' })],
        width: 8,
      }),
      new GraphWidget({
        title: 'API latency (ms)',
        left: [api.metricLatency({ statistic: 'p50', label: 'p50' }), api.metricLatency({ statistic: 'p99', label: 'p99' })],
        width: 8,
      }),
      new GraphWidget({
        title: 'API 4xx / 5xx',
        left: [api.metricClientError({ label: '4xx' }), api.metricServerError({ label: '5xx' })],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Visits, clicks, conversions per minute',
        left: [custom('visits', 'visits'), custom('clicks', 'clicks'), custom('conversions', 'conversions')],
        right: [custom('duplicatePostbacks', 'duplicates'), custom('pendingPostbacks', 'pending')],
        width: 12,
      }),
      new GraphWidget({
        title: 'Postback errors by reason, source postback failures, buffered clicks',
        left: ['invalid', 'unknown-click', 'expired-click', 'forbidden'].map(
          (reason) =>
            new Metric({ namespace: 'clickstack', metricName: 'postbackErrors', dimensionsMap: { service: 'clickstack', reason }, statistic: 'Sum', period: Duration.minutes(1), label: reason }),
        ),
        right: [custom('sourcePostbackFailures', 'source postback failures'), custom('clickWritesBuffered', 'clicks buffered')],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Lambda errors', left: fns.map(([name, fn]) => fn.metricErrors({ label: name })), width: 8 }),
      new GraphWidget({ title: 'Lambda throttles', left: fns.map(([name, fn]) => fn.metricThrottles({ label: name })), width: 8 }),
      new GraphWidget({
        title: 'Lambda concurrency',
        left: fns.map(([name, fn]) => fn.metric('ConcurrentExecutions', { statistic: 'Maximum', label: name })),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'DynamoDB throttled requests', left: dynamoThrottles, width: 12 }),
      new SingleValueWidget({
        title: 'Dead-letter queue depth',
        metrics: Object.entries(props.deadLetterQueues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ label: name, period: Duration.minutes(1) }),
        ),
        width: 12,
      }),
    );

    const alarm = (alarmId: string, description: string, metric: IMetric, threshold: number) =>
      this.alarms.push(
        new Alarm(this, alarmId, {
          alarmDescription: description,
          metric,
          threshold,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    alarm('ApiServerErrors', 'The tracking API answered 10 or more 5xx in 5 minutes', api.metricServerError({ period: FIVE_MINUTES }), 10);
    for (const [name, fn] of fns) {
      const label = name.charAt(0).toUpperCase() + name.slice(1);
      alarm(`${label}Errors`, `${name}: 5 or more errors in 5 minutes`, fn.metricErrors({ period: FIVE_MINUTES }), 5);
      alarm(`${label}Throttles`, `${name}: throttled (out of concurrency)`, fn.metricThrottles({ period: FIVE_MINUTES }), 1);
    }
    dynamoThrottles.forEach((metric, i) => {
      const name = Object.keys(props.tables)[i];
      alarm(`${name.charAt(0).toUpperCase()}${name.slice(1)}TableThrottles`, `DynamoDB throttled requests on the ${name} table`, metric, 1);
    });

    if (props.alarmEmail) {
      this.topic = new Topic(this, 'AlarmTopic', { displayName: 'clickstack alarms', enforceSSL: true });
      Validations.of(this.topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason: 'CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key, and the topic carries alarm names only.',
      });
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
      const action = new SnsAction(this.topic);
      for (const each of [...this.alarms, ...(props.extraAlarms ?? [])]) each.addAlarmAction(action);
    }
  }
}
