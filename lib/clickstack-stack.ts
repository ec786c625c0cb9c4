import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Tags, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DASHBOARD_PATH } from '../dashboard/site';
import { ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { TrackingAnalytics } from './analytics';
import { DashboardSite } from './dashboard-site';
import { EdgeProtection } from './edge-protection';
import { ReportAggregation } from './report-aggregation';
import { TrackingObservability } from './observability';
import { TrackingApi } from './tracking-api';
import { TrackingDistribution } from './tracking-distribution';
import { TrackingTables } from './tracking-tables';

export type Stage = 'dev' | 'prod';

export interface ClickstackStackProps extends StackProps {
  /**
   * `prod` keeps data (RETAIN, point-in-time recovery, deletion protection, longer log retention);
   * `dev` is disposable.
   * @default 'dev'
   */
  readonly stage?: Stage;
  /** Custom tracking domains. @default - the cloudfront.net domain only */
  readonly domainNames?: readonly string[];
  /** ARN of an ACM certificate in us-east-1 for `domainNames`. @default - none */
  readonly certificateArn?: string;
  /** Click window: attribution and click item lifetime. @default 30 */
  readonly clickTtlDays?: number;
  /** X-Ray active tracing on every function. @default false */
  readonly tracing?: boolean;
  /** Alarms notify this address through an SNS topic. @default - alarms without notification */
  readonly alarmEmail?: string;
  /** A WAF web ACL on CloudFront for the visitor routes; the stack must then be in us-east-1. @default false */
  readonly waf?: boolean;
  /** Requests per 5 minutes per IP on visitor routes before WAF blocks. @default 2000 */
  readonly wafRateLimit?: number;
  /** Clicks and conversions to S3 (Parquet) through Firehose, queried with Athena. @default false */
  readonly analytics?: boolean;
  /** API Gateway limits across all routes. @default { rateLimit: 2000, burstLimit: 5000 } */
  readonly throttle?: ThrottleSettings;
  /** API Gateway limits of the postback routes. @default { rateLimit: 500, burstLimit: 1000 } */
  readonly postbackThrottle?: ThrottleSettings;
}

/**
 * clickstack: tables, tracking API and the CloudFront distribution in front of it, a dashboard
 * and alarms; WAF and the analytics lake when asked for.
 */
export class ClickstackStack extends Stack {
  constructor(scope: Construct, id: string, props: ClickstackStackProps = {}) {
    super(scope, id, props);
    const prod = props.stage === 'prod';
    Tags.of(this).add('app', 'clickstack');
    Tags.of(this).add('stage', props.stage ?? 'dev');
    const clickTtlDays = props.clickTtlDays ?? 30;
    if (!Number.isInteger(clickTtlDays) || clickTtlDays < 1 || clickTtlDays > 365) {
      throw new Error(`clickTtlDays must be a whole number of days from 1 to 365, got ${clickTtlDays}`);
    }

    const tables = new TrackingTables(this, 'Tables', { retainData: prod });
    const logRetention = prod ? RetentionDays.SIX_MONTHS : RetentionDays.ONE_WEEK;
    const logRemovalPolicy = prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const originSecret = new Secret(this, 'OriginSecret', {
      description: 'CloudFront → API header value: visitor routes accept only requests carrying it',
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
    });
    Validations.of(originSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'CloudFront and the functions take the value at deploy time, so rotation must redeploy both together; a leaked value only lets a caller bypass CloudFront, not forge data.',
    });
    // Resolved by CloudFormation at deploy time (a dynamic reference), never in the template.
    const originSecretValue = originSecret.secretValue.unsafeUnwrap();
    const managementTokenHash = new Secret(this, 'ManagementTokenHash', {
      description: 'SHA-256 (hex) of the management API bearer token: `npx clickstack token` makes a pair',
      // Not a SHA-256: no token is accepted until an operator puts a real hash in.
      generateSecretString: { excludePunctuation: true, passwordLength: 32 },
    });
    Validations.of(managementTokenHash).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Holds the hash of an operator-made token; rotating means making a new token (README runbook), which no Lambda rotation can do.',
    });
    const tracking = new TrackingApi(this, 'Tracking', {
      managementTokenHash,
      originSecret: originSecretValue,
      tables,
      clickWindow: Duration.days(clickTtlDays),
      logRetention,
      logRemovalPolicy,
      tracing: props.tracing,
      throttle: props.throttle,
      postbackThrottle: props.postbackThrottle,
    });
    const reports = new ReportAggregation(this, 'Reports', {
      tables,
      aggregator: { environment: tables.environment, logRetention, logRemovalPolicy, tracing: props.tracing },
    });
    const edgeProtection = props.waf ? new EdgeProtection(this, 'EdgeProtection', { visitorRateLimit: props.wafRateLimit }) : undefined;
    const analytics = props.analytics
      ? new TrackingAnalytics(this, 'Analytics', {
          clicksTable: tables.tables.clicks,
          conversionsTable: tables.tables.conversions,
          exporter: { environment: tables.environment, logRetention, logRemovalPolicy, tracing: props.tracing },
          removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        })
      : undefined;
    const observability = new TrackingObservability(this, 'Observability', {
      api: tracking.api,
      functions: {
        ...tracking.functions,
        ...Object.fromEntries(Object.entries(tracking.queues).map(([name, queue]) => [`${name}Worker`, queue.worker])),
        reportAggregator: reports.aggregator,
        ...(analytics ? { analyticsExporter: analytics.exporter } : {}),
      },
      clickFunction: tracking.functions.click,
      tables: tables.tables,
      deadLetterQueues: {
        ...Object.fromEntries(Object.entries(tracking.queues).map(([name, queue]) => [name, queue.deadLetterQueue])),
        reportAggregation: reports.failures,
      },
      extraAlarms: [...Object.values(tracking.queues).map((queue) => queue.deadLetterAlarm), reports.failureAlarm],
      alarmEmail: props.alarmEmail,
    });
    const dashboard = new DashboardSite(this, 'ReportsDashboard');
    const edge = new TrackingDistribution(this, 'Edge', {
      originDomainName: tracking.apiDomainName,
      additionalBehaviors: { [DashboardSite.PATH_PATTERN]: dashboard.behavior },
      originSecret: originSecretValue,
      webAclArn: edgeProtection?.webAcl.attrArn,
      domainNames: props.domainNames,
      certificate: props.certificateArn
        ? Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn)
        : undefined,
    });
    dashboard.publish(edge.distribution);

    new CfnOutput(this, 'ConfigTableName', {
      value: tables.tables.config.tableName,
      description: 'Campaigns, offers, traffic sources and networks',
    });
    new CfnOutput(this, 'PostbackErrorLogTableName', {
      value: tables.tables.postbackErrors.tableName,
      description: 'Postbacks that were not counted, and why',
    });
    new CfnOutput(this, 'DashboardName', { value: observability.dashboard.dashboardName, description: 'CloudWatch dashboard' });
    new CfnOutput(this, 'ReportsDashboardUrl', {
      value: `${edge.baseUrl}${DASHBOARD_PATH}`,
      description: 'Reports, tracking links and postback errors: sign in with the management token',
    });
    new CfnOutput(this, 'ManagementTokenSecretArn', {
      value: managementTokenHash.secretArn,
      description: 'Put the SHA-256 of your management token here (npx clickstack token)',
    });
    new CfnOutput(this, 'TrackingBaseUrl', { value: edge.baseUrl, description: 'Tracking domain' });
    new CfnOutput(this, 'ExampleCampaignUrl', {
      value: `${edge.baseUrl}/c/<campaignId>`,
      description: 'Campaign URL: append the traffic source parameters',
    });
    new CfnOutput(this, 'PostbackUrl', {
      value: `${edge.baseUrl}/postback?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL`,
      description: 'S2S postback URL to give an affiliate network',
    });
  }
}
