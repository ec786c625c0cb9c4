import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ClickstackStack, Stage } from '../lib/clickstack-stack';

/**
 * The CDK app. Context is read here and nowhere else:
 *   -c stage=dev|prod  -c domainNames=track.example.com,go.example.com
 *   -c certificateArn=arn:aws:acm:us-east-1:...  -c clickTtlDays=30
 *   -c alarmEmail=ops@example.com  -c tracing=true  -c waf=true [-c wafRateLimit=2000]
 *   -c analytics=true  -c throttleRate=2000 -c throttleBurst=5000
 *   -c postbackThrottleRate=500 -c postbackThrottleBurst=1000
 */
const app = new App();

function context(name: string): string | undefined {
  const value: unknown = app.node.tryGetContext(name);
  if (value === undefined || value === null || value === '') return undefined;
  return Array.isArray(value) ? value.join(',') : String(value);
}

function flag(name: string): boolean {
  const value = context(name);
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new Error(`-c ${name} must be true or false, got '${value}'`);
}

function positiveNumber(name: string): number | undefined {
  const value = context(name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`-c ${name} must be a number above 0, got '${value}'`);
  return parsed;
}

function throttle(prefix: string) {
  const rateLimit = positiveNumber(`${prefix}Rate`);
  const burstLimit = positiveNumber(`${prefix}Burst`);
  return rateLimit === undefined && burstLimit === undefined ? undefined : { rateLimit, burstLimit };
}

const stage = context('stage') ?? 'dev';
if (stage !== 'dev' && stage !== 'prod') throw new Error(`-c stage must be dev or prod, got '${stage}'`);
const alarmEmail = context('alarmEmail');
if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) throw new Error(`-c alarmEmail is not an email address: '${alarmEmail}'`);

new ClickstackStack(app, `clickstack-${stage}`, {
  stage: stage as Stage,
  domainNames: context('domainNames')?.split(',').map((name) => name.trim()).filter(Boolean),
  certificateArn: context('certificateArn'),
  clickTtlDays: positiveNumber('clickTtlDays'),
  alarmEmail,
  tracing: flag('tracing'),
  waf: flag('waf'),
  wafRateLimit: positiveNumber('wafRateLimit'),
  analytics: flag('analytics'),
  throttle: throttle('throttle'),
  postbackThrottle: throttle('postbackThrottle'),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: `clickstack affiliate click tracker (${stage})`,
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
