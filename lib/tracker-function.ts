import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

const PROJECT_ROOT = path.join(__dirname, '..');

export interface TrackerFunctionProps {
  /** Handler module, relative to `lambda/`. */
  readonly entry: string;
  readonly description: string;
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** Of the log group. @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** X-Ray active tracing. @default false */
  readonly tracing?: boolean;
}

/**
 * The house defaults for every clickstack function: the newest Node runtime on arm64, bundled by
 * the locally installed esbuild (never Docker) with the AWS SDK inside the bundle so its version
 * is the one the tests ran, minified with source maps, and a log group with explicit retention.
 * The role starts empty but for writing to that log group (no AWS managed policy); callers
 * grant the rest.
 */
export class TrackerFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: TrackerFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    if (props.tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray trace segment and telemetry actions have no resource-level permissions (Resource *).',
      });
    }
    super(scope, id, {
      role,
      entry: path.join(PROJECT_ROOT, 'lambda', props.entry),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      logGroup,
      tracing: props.tracing ? Tracing.ACTIVE : undefined,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      // Stack traces point at the TypeScript sources, not the minified bundle.
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        // One invocation in a hundred logs at debug level, for a look inside without the volume.
        POWERTOOLS_LOGGER_SAMPLE_RATE: '0.01',
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        externalModules: [],
        // The SDK's ES modules tree-shake: a third smaller bundle, a faster cold start.
        mainFields: ['module', 'main'],
        forceDockerBundling: false,
      },
    });
  }
}
