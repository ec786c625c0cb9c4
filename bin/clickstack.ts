import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ClickstackStack, Stage } from '../lib/clickstack-stack';

/**
 * The CDK app. Context is read here and nowhere else:
 *   -c stage=dev|prod  -c domainNames=track.example.com,go.example.com
 *   -c certificateArn=arn:aws:acm:us-east-1:...  -c clickTtlDays=30
 */
const app = new App();

function context(name: string): string | undefined {
  const value: unknown = app.node.tryGetContext(name);
  if (value === undefined || value === null || value === '') return undefined;
  return Array.isArray(value) ? value.join(',') : String(value);
}

const stage = context('stage') ?? 'dev';
if (stage !== 'dev' && stage !== 'prod') throw new Error(`-c stage must be dev or prod, got '${stage}'`);
const clickTtlDays = context('clickTtlDays');

new ClickstackStack(app, `clickstack-${stage}`, {
  stage: stage as Stage,
  domainNames: context('domainNames')?.split(',').map((name) => name.trim()).filter(Boolean),
  certificateArn: context('certificateArn'),
  clickTtlDays: clickTtlDays === undefined ? undefined : Number(clickTtlDays),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: `clickstack affiliate click tracker (${stage})`,
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
