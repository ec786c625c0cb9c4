import { Duration, Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTIONS, FunctionName, ROUTES } from '../lambda/routes';
import { TableAccess, TrackingTables } from './tracking-tables';
import { TrackerFunction } from './tracker-function';

/** What each function may do, and nothing more: the click path writes, it never reads clicks. */
const ACCESS: Record<FunctionName, TableAccess> = {
  click: { clicks: ['dynamodb:PutItem'], config: ['dynamodb:GetItem'] },
  postback: {
    clicks: ['dynamodb:GetItem'],
    conversions: ['dynamodb:PutItem'],
    config: ['dynamodb:GetItem'],
    postbackErrors: ['dynamodb:PutItem'],
  },
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
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** Of the log groups. @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** The HTTP API with the tracker's routes, one function per handler, each with least privilege. */
export class TrackingApi extends Construct {
  readonly api: HttpApi;
  readonly functions: Readonly<Record<FunctionName, TrackerFunction>>;
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

    const functions = {} as Record<FunctionName, TrackerFunction>;
    for (const [name, definition] of Object.entries(FUNCTIONS) as [FunctionName, (typeof FUNCTIONS)[FunctionName]][]) {
      const fn = new TrackerFunction(this, `${name.charAt(0).toUpperCase()}${name.slice(1)}Function`, {
        entry: definition.entry,
        description: definition.description,
        environment,
        logRetention,
        logRemovalPolicy,
      });
      props.tables.grant(fn, ACCESS[name]);
      functions[name] = fn;
    }
    this.functions = functions;

    this.api = new HttpApi(this, 'Api', { description: 'clickstack tracking API', createDefaultStage: false });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: logRetention, removalPolicy: logRemovalPolicy });
    new HttpStage(this, 'DefaultStage', {
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

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'Tracking routes are public by nature: visitors click ads, networks call the postback URL. Postbacks are validated against issued click IDs.',
    });
    this.apiDomainName = Fn.select(2, Fn.split('/', this.api.apiEndpoint));
  }
}
