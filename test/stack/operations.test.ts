import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ClickstackStack, ClickstackStackProps } from '../../lib/clickstack-stack';
import { ourFunctions } from '../support/stack';

function synth(props: ClickstackStackProps = {}, nag = false): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ClickstackStack(app, 'Ops', props);
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return Template.fromStack(stack);
}

const plain = synth();
const everything = synth({ stage: 'prod', alarmEmail: 'ops@example.com', waf: true, analytics: true, tracing: true });
const count = (template: Template, type: string) => Object.keys(template.findResources(type)).length;

describe('observability', () => {
  it('has one dashboard with the latency, error, function, table, queue and business widgets', () => {
    const body = JSON.stringify(plain.toJSON().Resources[Object.keys(plain.findResources('AWS::CloudWatch::Dashboard'))[0]].Properties.DashboardBody);
    for (const title of ['Redirect latency', 'API 4xx / 5xx', 'Lambda errors', 'Lambda throttles', 'Lambda concurrency', 'DynamoDB throttled requests', 'Dead-letter queue depth', 'Visits, clicks, conversions per minute']) {
      expect(body).toContain(title);
    }
    expect(body).toContain('p99');
  });

  it('alarms on API 5xx, every function\'s errors and throttles, table throttles and dead letters', () => {
    const alarms = Object.values(plain.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);
    const byMetric = (name: string) => alarms.filter((alarm) => alarm.MetricName === name);
    expect(byMetric('5xx')).toHaveLength(1);
    expect(byMetric('Errors')).toHaveLength(8);
    expect(byMetric('Throttles')).toHaveLength(8);
    expect(byMetric('ApproximateNumberOfMessagesVisible')).toHaveLength(4);
    const tableAlarms = alarms.filter((alarm) => JSON.stringify(alarm.Metrics ?? []).includes('WriteThrottleEvents'));
    expect(tableAlarms).toHaveLength(5);
    expect(alarms.every((alarm) => alarm.AlarmActions === undefined)).toBe(true);
  });

  it('notifies an SNS topic with the alarm email subscribed, from every alarm', () => {
    everything.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    const topicId = Object.keys(everything.findResources('AWS::SNS::Topic'))[0];
    const alarms = Object.values(everything.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(20);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(count(plain, 'AWS::SNS::Topic')).toBe(0);
  });

  it('switches X-Ray tracing on every function only when asked', () => {
    for (const fn of Object.values(ourFunctions(everything))) expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    for (const fn of Object.values(ourFunctions(plain))) expect(fn.Properties.TracingConfig).toBeUndefined();
  });
});

describe('WAF', () => {
  it('puts a rate limit and AWS managed rules on the visitor routes only, and insists on us-east-1', () => {
    everything.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      Rules: Match.arrayWith([
        Match.objectLike({ Name: 'VisitorRateLimit', Action: { Block: {} }, Statement: { RateBasedStatement: Match.objectLike({ Limit: 2000, AggregateKeyType: 'IP' }) } }),
        Match.objectLike({ Name: 'AWSManagedRulesAmazonIpReputationList' }),
        Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet' }),
        Match.objectLike({ Name: 'AWSManagedRulesKnownBadInputsRuleSet' }),
      ]),
    });
    const acl = Object.values(everything.findResources('AWS::WAFv2::WebACL'))[0];
    for (const rule of acl.Properties.Rules) {
      const scopeDown = JSON.stringify(rule.Statement.RateBasedStatement?.ScopeDownStatement ?? rule.Statement.ManagedRuleGroupStatement.ScopeDownStatement);
      expect(scopeDown).toContain('"NotStatement"');
      expect(scopeDown).toContain('/postback');
      expect(scopeDown).toContain('/conversion.gif');
    }
    const aclId = Object.keys(everything.findResources('AWS::WAFv2::WebACL'))[0];
    everything.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ WebACLId: { 'Fn::GetAtt': [aclId, 'Arn'] } }) });
    expect(JSON.stringify(everything.toJSON().Rules)).toContain('us-east-1');
  });

  it('is absent unless asked for', () => {
    expect(count(plain, 'AWS::WAFv2::WebACL')).toBe(0);
    expect(JSON.stringify(plain.toJSON().Rules)).not.toContain('us-east-1');
  });
});

describe('analytics', () => {
  it('streams clicks and conversions through Firehose into Parquet partitioned by day', () => {
    const streamed = Object.values(everything.findResources('AWS::DynamoDB::Table')).filter((table) => table.Properties.StreamSpecification);
    expect(streamed.map((table) => table.Properties.KeySchema[0].AttributeName).sort()).toEqual(['clickId', 'clickId']);
    expect(count(everything, 'AWS::KinesisFirehose::DeliveryStream')).toBe(2);
    for (const name of ['clicks', 'conversions']) {
      everything.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
        ExtendedS3DestinationConfiguration: Match.objectLike({
          Prefix: `${name}/dt=!{timestamp:yyyy-MM-dd}/`,
          DataFormatConversionConfiguration: Match.objectLike({
            Enabled: true,
            OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
            SchemaConfiguration: Match.objectLike({ TableName: name }),
          }),
        }),
      });
      everything.hasResourceProperties('AWS::Glue::Table', {
        TableInput: Match.objectLike({ Name: name, PartitionKeys: [{ Name: 'dt', Type: 'string' }], Parameters: Match.objectLike({ 'projection.enabled': 'true' }) }),
      });
    }
    // 3 work queues, 2 streams into the report aggregator, 2 into the exporter.
    expect(count(everything, 'AWS::Lambda::EventSourceMapping')).toBe(3 + 2 + 2);
  });

  it('gives Athena a workgroup with a results bucket and the saved queries', () => {
    everything.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({ EnforceWorkGroupConfiguration: true, ResultConfiguration: Match.objectLike({ OutputLocation: Match.anyValue() }) }),
    });
    const queries = Object.values(everything.findResources('AWS::Athena::NamedQuery')).map((query) => query.Properties.Name);
    expect(queries.sort()).toEqual(['Conversion lag distribution', 'Revenue by campaign and day', 'Top countries by EPC']);
  });

  it('is absent unless asked for', () => {
    for (const type of ['AWS::KinesisFirehose::DeliveryStream', 'AWS::Glue::Database', 'AWS::Athena::WorkGroup']) expect(count(plain, type)).toBe(0);
    expect(Object.keys(plain.findResources('AWS::S3::Bucket'))).toEqual(['ReportsDashboardBucket904ACFE5']);
  });
});

describe('stages', () => {
  it('tags every stack with the app and the stage', () => {
    everything.hasResourceProperties('AWS::DynamoDB::Table', { Tags: Match.arrayWith([{ Key: 'app', Value: 'clickstack' }, { Key: 'stage', Value: 'prod' }]) });
  });

  it('keeps the logical IDs of stateful resources, whatever refactors happen around them', () => {
    // Changing one of these replaces the resource: its data is lost (dev) or orphaned (prod).
    expect(Object.keys(plain.findResources('AWS::DynamoDB::Table')).sort()).toEqual([
      'TablesClicks2FF1CD00',
      'TablesConfig8DAB628F',
      'TablesConversions790F4011',
      'TablesPostbackErrors89F18D5D',
      'TablesStats3C6E56A7',
    ]);
    expect(Object.keys(plain.findResources('AWS::SecretsManager::Secret')).sort()).toEqual(['ManagementTokenHash9159F1B8', 'OriginSecret5DDC59F1'].sort());
    expect(Object.keys(everything.findResources('AWS::S3::Bucket')).sort()).toEqual(['AnalyticsData0C3ED55A', 'AnalyticsQueryResults11B30085', 'ReportsDashboardBucket904ACFE5'].sort());
  });

  it.each([
    ['dev', {}],
    ['prod with everything', { stage: 'prod' as const, alarmEmail: 'ops@example.com', waf: true, analytics: true, tracing: true }],
    ['analytics only', { analytics: true }],
    ['waf and tracing', { waf: true, tracing: true }],
  ])('passes cdk-nag: %s', (_, props) => {
    expect(() => synth(props, true)).not.toThrow();
  });
});

describe('the CDK app', () => {
  it('turns the documented context into one stack with dashboard, alarms, WAF and the analytics path', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'clickstack-app-'));
    try {
      execFileSync(join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx'), [join(__dirname, '..', '..', 'bin', 'clickstack.ts')], {
        env: {
          ...process.env,
          CDK_OUTDIR: outdir,
          CDK_CONTEXT_JSON: JSON.stringify({ stage: 'prod', analytics: 'true', waf: 'true', alarmEmail: 'ops@example.com', 'aws:cdk:bundling-stacks': [] }),
        },
      });
      const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
      const stacks = Object.entries(manifest.artifacts as Record<string, { type: string }>).filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack');
      expect(stacks.map(([name]) => name)).toEqual(['clickstack-prod']);
      const template = Template.fromJSON(JSON.parse(readFileSync(join(outdir, 'clickstack-prod.template.json'), 'utf8')));
      for (const type of ['AWS::CloudWatch::Dashboard', 'AWS::CloudWatch::Alarm', 'AWS::WAFv2::WebACL', 'AWS::KinesisFirehose::DeliveryStream', 'AWS::Glue::Table', 'AWS::Athena::WorkGroup', 'AWS::SNS::Subscription']) {
        expect(count(template, type)).toBeGreaterThan(0);
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('refuses context it cannot use', () => {
    const run = (context: Record<string, string>) =>
      execFileSync(join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx'), [join(__dirname, '..', '..', 'bin', 'clickstack.ts')], {
        env: { ...process.env, CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'clickstack-bad-')), CDK_CONTEXT_JSON: JSON.stringify(context) },
        stdio: 'pipe',
      });
    expect(() => run({ stage: 'staging' })).toThrow(/stage must be dev or prod/);
    expect(() => run({ waf: 'yes' })).toThrow(/waf must be true or false/);
    expect(() => run({ alarmEmail: 'ops' })).toThrow(/alarmEmail is not an email address/);
  });
});
