import { Duration, Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { CfnStage, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { FUNCTIONS, FunctionName, QUEUES, QueueName, ROUTES } from '../lambda/routes';
import { TableAccess, TrackingTables } from './tracking-tables';
import { TrackerFunction } from './tracker-function';
import { WorkQueue } from './work-queue';

const POSTBACK_ACCESS: TableAccess = {
  clicks: ['dynamodb:GetItem'],
  conversions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
  config: ['dynamodb:GetItem'],
  postbackErrors: ['dynamodb:PutItem'],
};

/** What each function may do, and nothing more: the click path writes, it never reads clicks. */
const ACCESS: Record<FunctionName | QueueName, TableAccess> = {
  click: { clicks: ['dynamodb:PutItem'], config: ['dynamodb:GetItem'] },
  clickThrough: { clicks: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], config: ['dynamodb:GetItem'] },
  postback: POSTBACK_ACCESS,
  management: {
    config: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
    stats: ['dynamodb:GetItem', 'dynamodb:Query'],
    conversions: ['dynamodb:Query'],
    postbackErrors: ['dynamodb:Query'],
  },
  clickBuffer: { clicks: ['dynamodb:PutItem'] },
  pendingPostbacks: POSTBACK_ACCESS,
  sourcePostbacks: { conversions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
};

/** Which queues each function sends to. */
const SENDS: Partial<Record<FunctionName | QueueName, readonly QueueName[]>> = {
  click: ['clickBuffer'],
  postback: ['pendingPostbacks', 'sourcePostbacks'],
  pendingPostbacks: ['sourcePostbacks'],
  sourcePostbacks: ['sourcePostbacks'],
};

export interface TrackingApiProps {
  readonly tables: TrackingTables;
  /**
   * How long after a click its conversions are still attributed (and its item kept).
   * @default Duration.days(30)
   */
  readonly clickWindow?: Duration;
  /**
   * How long a function keeps campaign config in memory before reading it again.
   * @default Duration.seconds(30)
   */
  readonly configCacheTtl?: Duration;
  /**
   * Steady-state and burst request limits of the API, across all routes.
   * @default { rateLimit: 2000, burstLimit: 5000 }
   */
  readonly throttle?: ThrottleSettings;
  /**
   * Tighter limits for the postback routes: a misbehaving network must not starve visitors.
   * @default { rateLimit: 500, burstLimit: 1000 }
   */
  readonly postbackThrottle?: ThrottleSettings;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** Of the log groups. @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * The secret CloudFront sends in the origin header; visitor routes refuse requests without it.
   * @default - none: every request is taken as coming through CloudFront
   */
  readonly originSecret?: string;
  /** Holds the SHA-256 (hex) of the management API's bearer token; read by the management function. */
  readonly managementTokenHash: ISecret;
  /** X-Ray active tracing on every function. @default false */
  readonly tracing?: boolean;
}

/**
 * The HTTP API with the tracker's routes, one function per handler, and the work queues behind
 * them with their workers: each function with least privilege.
 */
export class TrackingApi extends Construct {
  readonly api: HttpApi;
  readonly functions: Readonly<Record<FunctionName, TrackerFunction>>;
  readonly queues: Readonly<Record<QueueName, WorkQueue>>;
  /** The API's own host name, for CloudFront's origin. */
  readonly apiDomainName: string;

  constructor(scope: Construct, id: string, props: TrackingApiProps) {
    super(scope, id);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.DESTROY;
    const environment = {
      ...props.tables.environment,
      CLICK_TTL_DAYS: String((props.clickWindow ?? Duration.days(30)).toDays()),
      CONFIG_CACHE_SECONDS: String((props.configCacheTtl ?? Duration.seconds(30)).toSeconds()),
      POWERTOOLS_SERVICE_NAME: 'clickstack',
    };

    const queues = {} as Record<QueueName, WorkQueue>;
    for (const [name, definition] of Object.entries(QUEUES) as [QueueName, (typeof QUEUES)[QueueName]][]) {
      queues[name] = new WorkQueue(this, `${name.charAt(0).toUpperCase()}${name.slice(1)}`, {
        definition,
        worker: { environment, logRetention, logRemovalPolicy, tracing: props.tracing },
      });
      props.tables.grant(queues[name].worker, ACCESS[name]);
    }
    this.queues = queues;
    const queueUrls = Object.fromEntries(
      (Object.keys(QUEUES) as QueueName[]).map((name) => [QUEUES[name].urlVariable, queues[name].queue.queueUrl]),
    );
    for (const [name, queue] of Object.entries(queues) as [QueueName, WorkQueue][]) {
      for (const target of SENDS[name] ?? []) {
        queues[target].grantSend(queue.worker);
        queue.worker.addEnvironment(QUEUES[target].urlVariable, queues[target].queue.queueUrl);
      }
    }

    const functions = {} as Record<FunctionName, TrackerFunction>;
    for (const [name, definition] of Object.entries(FUNCTIONS) as [FunctionName, (typeof FUNCTIONS)[FunctionName]][]) {
      const fn = new TrackerFunction(this, `${name.charAt(0).toUpperCase()}${name.slice(1)}Function`, {
        entry: definition.entry,
        description: definition.description,
        environment: { ...environment, ...queueUrls, ...(props.originSecret ? { ORIGIN_SECRET: props.originSecret } : {}) },
        logRetention,
        logRemovalPolicy,
        tracing: props.tracing,
      });
      props.tables.grant(fn, ACCESS[name]);
      for (const queue of SENDS[name] ?? []) queues[queue].grantSend(fn);
      functions[name] = fn;
    }
    functions.management.addEnvironment('MANAGEMENT_TOKEN_SECRET_ARN', props.managementTokenHash.secretArn);
    props.managementTokenHash.grantRead(functions.management);
    this.functions = functions;

    this.api = new HttpApi(this, 'Api', { description: 'clickstack tracking API', createDefaultStage: false });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: logRetention, removalPolicy: logRemovalPolicy });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 2000, burstLimit: 5000 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });

    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of ROUTES) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${route.function}Integration`, functions[route.function]);
        integrations.set(route.function, integration);
      }
      this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    }
    const postbackThrottle = props.postbackThrottle ?? { rateLimit: 500, burstLimit: 1000 };
    (stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
      ROUTES.filter((route) => route.function === 'postback').map((route) => [
        `${route.method} ${route.path}`,
        // RouteSettings is untyped in CloudFormation's schema, so CDK passes it through as written.
        { ThrottlingRateLimit: postbackThrottle.rateLimit, ThrottlingBurstLimit: postbackThrottle.burstLimit },
      ]),
    );

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'Tracking routes are public by nature: visitors click ads, networks call the postback URL. Postbacks are validated against issued click IDs.',
    });
    this.apiDomainName = Fn.select(2, Fn.split('/', this.api.apiEndpoint));
  }
}
