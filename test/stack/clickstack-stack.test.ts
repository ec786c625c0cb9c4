import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ClickstackStack, ClickstackStackProps } from '../../lib/clickstack-stack';
import { ourFunctions } from '../support/stack';
import { DASHBOARD_CONTENT_SECURITY_POLICY, DASHBOARD_VIEWER_REQUEST } from '../../dashboard/site';

const CERTIFICATE = 'arn:aws:acm:us-east-1:111122223333:certificate/0f2b1c52-8d4e-4a4e-9c61-0123456789ab';
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';

/** Bundling is skipped here (one test below bundles for real); it is the slow part of synth. */
function synth(props: ClickstackStackProps = {}, nag = false): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ClickstackStack(app, 'Test', { env: { account: '111122223333', region: 'eu-west-1' }, ...props });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return Template.fromStack(stack);
}

describe('ClickstackStack', () => {
  const dev = synth();
  const prod = synth({ stage: 'prod', domainNames: ['track.example.com', 'go.example.com'], certificateArn: CERTIFICATE, clickTtlDays: 45 });

  function findTable(prefix: string): string {
    return Object.keys(dev.findResources('AWS::DynamoDB::Table')).find((id) => id.startsWith(`Tables${prefix}`))!;
  }
  function dynamoStatements(functionId: string) {
    const roleId = dev.findResources('AWS::Lambda::Function')[functionId].Properties.Role['Fn::GetAtt'][0];
    const policies = Object.values(dev.findResources('AWS::IAM::Policy')).filter((policy) =>
      policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId),
    );
    const roles = dev.findResources('AWS::IAM::Role');
    expect(roles[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    return policies
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) => String(statement.Action).startsWith('dynamodb:'))
      .map((statement) => {
        const resource = Array.isArray(statement.Resource) ? statement.Resource[0] : statement.Resource;
        return [statement.Action, resource?.['Fn::GetAtt']?.[0] ?? resource];
      });
  }
  const functionId = (prefix: string) =>
    Object.keys(dev.findResources('AWS::Lambda::Function')).find((id) => id.startsWith(`Tracking${prefix}`))!;
  const queueId = (prefix: string) =>
    Object.keys(dev.findResources('AWS::SQS::Queue')).find((id) => id.startsWith(`Tracking${prefix}Queue`))!;

  describe('tables', () => {
    it('keys clicks by click ID with a TTL attribute, on demand', () => {
      dev.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'clickId', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
      });
    });

    it('keys conversions so dedup is a conditional put on click ID + conversion key', () => {
      dev.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'clickId', KeyType: 'HASH' },
          { AttributeName: 'conversionKey', KeyType: 'RANGE' },
        ],
      });
    });

    it('has a postback error log that expires', () => {
      dev.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'day', KeyType: 'HASH' },
          { AttributeName: 'errorId', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
    });

    it('are disposable in dev', () => {
      const tables = dev.findResources('AWS::DynamoDB::Table');
      expect(Object.keys(tables)).toHaveLength(5);
      for (const table of Object.values(tables)) {
        expect(table.DeletionPolicy).toBe('Delete');
        expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: false });
      }
    });

    it('are retained, recoverable and deletion-protected in prod', () => {
      const tables = prod.findResources('AWS::DynamoDB::Table');
      expect(Object.keys(tables)).toHaveLength(5);
      for (const table of Object.values(tables)) {
        expect(table.DeletionPolicy).toBe('Retain');
        expect(table.UpdateReplacePolicy).toBe('Retain');
        expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
        expect(table.Properties.DeletionProtectionEnabled).toBe(true);
      }
    });
  });

  it('gives nothing a hard-coded physical name', () => {
    const PHYSICAL_NAMES = ['TableName', 'FunctionName', 'RoleName', 'LogGroupName', 'QueueName', 'AlarmName', 'Name', 'PolicyName'];
    // Labels CDK derives from the construct path, unique within their parent, not account-wide identities.
    const labelled = ['AWS::ApiGatewayV2::Api', 'AWS::CloudFront::Function', 'AWS::IAM::Policy'];
    const named = Object.entries(dev.toJSON().Resources as Record<string, { Type: string; Properties?: object }>)
      .filter(([, resource]) => !labelled.includes(resource.Type))
      .flatMap(([id, resource]) =>
        Object.entries(resource.Properties ?? {})
          .filter(([key, value]) => PHYSICAL_NAMES.includes(key) && typeof value === 'string')
          .map(([key, value]) => `${id}.${key}=${value}`),
      );
    expect(named).toEqual([]);
  });

  it('routes the tracking paths to their functions', () => {
    const routeKeys = Object.values(dev.findResources('AWS::ApiGatewayV2::Route')).map((route) => route.Properties.RouteKey);
    expect(routeKeys.sort()).toEqual([
      'DELETE /api/{proxy+}',
      'GET /api/{proxy+}',
      'GET /c/{campaignId}',
      'GET /click',
      'GET /click/{offerNumber}',
      'GET /conversion.gif',
      'GET /postback',
      'GET /r/{clickId}',
      'POST /api/{proxy+}',
      'POST /postback',
      'PUT /api/{proxy+}',
    ]);
    dev.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 2000, ThrottlingBurstLimit: 5000 },
      RouteSettings: {
        'GET /postback': { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
        'POST /postback': { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
        'GET /conversion.gif': { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
      },
      AccessLogSettings: { DestinationArn: Match.anyValue() },
    });
  });

  it('runs the functions on the newest Node runtime, arm64, with source maps and the click window', () => {
    const functions = Object.values(ourFunctions(prod));
    expect(functions).toHaveLength(8);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
        LoggingConfig: { LogGroup: expect.anything() },
      });
    }
    const click = prod.findResources('AWS::Lambda::Function')[functionId('ClickFunction')];
    expect(click.Properties.Environment.Variables.CLICK_TTL_DAYS).toBe('45');
    const retentions = Object.values(prod.findResources('AWS::Logs::LogGroup')).map((group) => group.Properties.RetentionInDays);
    expect(retentions).toEqual(Array(9).fill(180));
  });

  describe('least privilege', () => {
    function sqsStatements(fnId: string) {
      const roleId = dev.findResources('AWS::Lambda::Function')[fnId].Properties.Role['Fn::GetAtt'][0];
      return Object.values(dev.findResources('AWS::IAM::Policy'))
        .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
        .filter((statement) => JSON.stringify(statement.Action).includes('sqs:SendMessage'))
        .map((statement) => statement.Resource['Fn::GetAtt'][0]);
    }
    const POSTBACK_ACCESS = () => [
      ['dynamodb:GetItem', findTable('Clicks')],
      ['dynamodb:GetItem', findTable('Config')],
      [['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'], findTable('Conversions')],
      ['dynamodb:PutItem', findTable('PostbackErrors')],
    ];

    it('lets the click function put clicks, read config and buffer clicks, nothing else', () => {
      expect(dynamoStatements(functionId('ClickFunction')).sort()).toEqual(
        [
          ['dynamodb:GetItem', findTable('Config')],
          ['dynamodb:PutItem', findTable('Clicks')],
        ].sort(),
      );
      expect(sqsStatements(functionId('ClickFunction'))).toEqual([queueId('ClickBuffer')]);
    });

    it('lets the postback function read clicks and config, write conversions and errors, queue pending and source postbacks', () => {
      expect(dynamoStatements(functionId('PostbackFunction')).sort()).toEqual(POSTBACK_ACCESS().sort());
      expect(sqsStatements(functionId('PostbackFunction')).sort()).toEqual([queueId('PendingPostbacks'), queueId('SourcePostbacks')].sort());
    });

    it('lets the click-through read and update clicks and read config, and the management API manage config and read reports', () => {
      expect(dynamoStatements(functionId('ClickThroughFunction')).sort()).toEqual(
        [
          [['dynamodb:GetItem', 'dynamodb:UpdateItem'], findTable('Clicks')],
          ['dynamodb:GetItem', findTable('Config')],
        ].sort(),
      );
      expect(dynamoStatements(functionId('ManagementFunction'))).toEqual([
        [['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'], findTable('Config')],
        [['dynamodb:GetItem', 'dynamodb:Query'], findTable('Stats')],
        ['dynamodb:Query', findTable('Conversions')],
        ['dynamodb:Query', findTable('PostbackErrors')],
      ]);
      // A Query reaches the one index it reads, nothing else does.
      const indexGrants = Object.values(dev.findResources('AWS::IAM::Policy'))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
        .filter((statement) => JSON.stringify(statement.Resource).includes('/index/'));
      expect(indexGrants.map((statement) => statement.Action)).toEqual(['dynamodb:Query']);
      expect(JSON.stringify(indexGrants[0].Resource)).toContain('/index/byCampaign');
      const secretId = Object.keys(dev.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith('ManagementTokenHash'));
      const management = dev.findResources('AWS::Lambda::Function')[functionId('ManagementFunction')];
      expect(management.Properties.Environment.Variables.MANAGEMENT_TOKEN_SECRET_ARN).toEqual({ Ref: secretId });
    });

    it('lets the workers do what their function does, and send only where their work goes on', () => {
      expect(dynamoStatements(functionId('ClickBufferWorker'))).toEqual([['dynamodb:PutItem', findTable('Clicks')]]);
      expect(dynamoStatements(functionId('PendingPostbacksWorker')).sort()).toEqual(POSTBACK_ACCESS().sort());
      expect(dynamoStatements(functionId('SourcePostbacksWorker'))).toEqual([[['dynamodb:GetItem', 'dynamodb:UpdateItem'], findTable('Conversions')]]);
      expect(sqsStatements(functionId('ClickBufferWorker'))).toEqual([]);
      expect(sqsStatements(functionId('PendingPostbacksWorker'))).toEqual([queueId('SourcePostbacks')]);
      expect(sqsStatements(functionId('SourcePostbacksWorker'))).toEqual([queueId('SourcePostbacks')]);
    });
  });

  describe('report aggregation', () => {
    it('streams clicks and conversions into an aggregator, one tumbling-window batch at a time, retried whole', () => {
      const streamed = Object.entries(dev.findResources('AWS::DynamoDB::Table'))
        .filter(([, table]) => table.Properties.StreamSpecification?.StreamViewType === 'NEW_AND_OLD_IMAGES')
        .map(([id]) => id);
      expect(streamed.sort()).toEqual([findTable('Clicks'), findTable('Conversions')].sort());
      const aggregatorId = Object.keys(dev.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('ReportsAggregator'))!;
      for (const table of streamed) {
        dev.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          FunctionName: { Ref: aggregatorId },
          EventSourceArn: { 'Fn::GetAtt': [table, 'StreamArn'] },
          BatchSize: 1000,
          MaximumBatchingWindowInSeconds: 10,
          TumblingWindowInSeconds: 60,
          BisectBatchOnFunctionError: false,
          StartingPosition: 'TRIM_HORIZON',
          DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
        });
      }
    });

    it('lets the aggregator read and write the counters, nothing else in DynamoDB but its streams', () => {
      const aggregatorId = Object.keys(dev.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('ReportsAggregator'))!;
      expect(dynamoStatements(aggregatorId).filter(([actions]: unknown[]) => !JSON.stringify(actions).includes('Stream'))).toEqual([
        [['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'], findTable('Stats')],
      ]);
    });
  });

  describe('work queues', () => {
    it.each([
      ['ClickBuffer', 30, 20],
      ['PendingPostbacks', 60, 70],
      ['SourcePostbacks', 60, 3],
    ])('%s: encrypted, TLS-only, redriven to a dead-letter queue, drained with partial batch failures', (name, visibility, receives) => {
      const queues = dev.findResources('AWS::SQS::Queue');
      const queue = queues[queueId(name)];
      expect(queue.Properties).toMatchObject({
        VisibilityTimeout: visibility,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { maxReceiveCount: receives, deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^Tracking${name}DeadLetters`)), 'Arn'] } },
      });
      dev.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [queueId(name), 'Arn'] },
        FunctionName: { Ref: functionId(`${name}Worker`) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 10,
      });
      const worker = dev.findResources('AWS::Lambda::Function')[functionId(`${name}Worker`)];
      expect(worker.Properties.Timeout).toBeLessThanOrEqual(visibility / 6);
    });

    it('alarms as soon as a message lands in a dead-letter queue', () => {
      const alarms = Object.values(dev.findResources('AWS::CloudWatch::Alarm')).filter((alarm) =>
        JSON.stringify(alarm.Properties.Dimensions ?? []).includes('DeadLetters'),
      );
      expect(alarms).toHaveLength(3);
      for (const alarm of alarms) {
        expect(alarm.Properties).toMatchObject({
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Namespace: 'AWS/SQS',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        });
        expect(alarm.Properties.Dimensions[0].Value['Fn::GetAtt'][0]).toMatch(/DeadLetters/);
      }
    });
  });

  describe('CloudFront', () => {
    it('serves the custom tracking domains with the certificate, TLS 1.2+, HTTPS only, nothing cached', () => {
      prod.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          Aliases: ['track.example.com', 'go.example.com'],
          ViewerCertificate: { AcmCertificateArn: CERTIFICATE, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
          DefaultCacheBehavior: Match.objectLike({
            ViewerProtocolPolicy: 'redirect-to-https',
            CachePolicyId: CACHING_DISABLED,
            OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST,
            AllowedMethods: Match.arrayWith(['GET', 'POST']),
            FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: Match.anyValue() }],
          }),
          Origins: Match.arrayWith([Match.objectLike({ CustomOriginConfig: Match.objectLike({ OriginProtocolPolicy: 'https-only' }) })]),
        }),
      });
    });

    it('sends the origin secret to the API, resolved from Secrets Manager at deploy time', () => {
      const secretId = Object.keys(prod.findResources('AWS::SecretsManager::Secret'))[0];
      const reference = { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] };
      prod.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          Origins: Match.arrayWith([Match.objectLike({ OriginCustomHeaders: [{ HeaderName: 'x-clickstack-origin', HeaderValue: reference }] })]),
        }),
      });
      prod.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ ORIGIN_SECRET: reference }) },
      });
    });

    it('forwards the tracking domain the visitor used', () => {
      prod.hasResourceProperties('AWS::CloudFront::Function', {
        FunctionCode: Match.stringLikeRegexp("headers\\['x-forwarded-host'\\] = \\{ value: request.headers.host.value \\}"),
      });
    });

    it('refuses a certificate outside us-east-1 and domains without a certificate', () => {
      expect(() => synth({ domainNames: ['t.example.com'], certificateArn: CERTIFICATE.replace('us-east-1', 'eu-west-1') })).toThrow(
        /us-east-1/,
      );
      expect(() => synth({ domainNames: ['t.example.com'] })).toThrow(/certificate/);
    });
  });

  describe('reports dashboard', () => {
    const distribution = () => Object.values(prod.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    const bucketId = () => Object.keys(prod.findResources('AWS::S3::Bucket'))[0];

    it('serves /dashboard* from a private bucket through an origin access control, cached, GET and HEAD only', () => {
      prod.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      });
      const { CacheBehaviors, Origins } = distribution();
      expect(CacheBehaviors).toHaveLength(1);
      expect(CacheBehaviors[0]).toMatchObject({
        PathPattern: '/dashboard*',
        ViewerProtocolPolicy: 'redirect-to-https',
        AllowedMethods: ['GET', 'HEAD'],
        CachePolicyId: CACHING_OPTIMIZED,
        FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/^ReportsDashboardIndexDocument/), 'FunctionARN'] } }],
        ResponseHeadersPolicyId: { Ref: expect.stringMatching(/^ReportsDashboardHeaders/) },
      });
      const origin = Origins.find((o: { Id: string }) => o.Id === CacheBehaviors[0].TargetOriginId);
      expect(origin).toMatchObject({ DomainName: { 'Fn::GetAtt': [bucketId(), 'RegionalDomainName'] }, OriginAccessControlId: { 'Fn::GetAtt': [expect.any(String), 'Id'] } });
      // CloudFront's secret for the API stays with the API's origin.
      expect(JSON.stringify(origin)).not.toContain('x-clickstack-origin');
      prod.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId() },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Action: 's3:GetObject',
              Principal: { Service: 'cloudfront.amazonaws.com' },
              Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
            }),
          ]),
        },
      });
    });

    it('sends a content security policy that lets only the page\'s own code run, and answers the directory with index.html', () => {
      prod.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
        ResponseHeadersPolicyConfig: Match.objectLike({
          SecurityHeadersConfig: Match.objectLike({
            ContentSecurityPolicy: { ContentSecurityPolicy: DASHBOARD_CONTENT_SECURITY_POLICY, Override: true },
            FrameOptions: { FrameOption: 'DENY', Override: true },
            ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
          }),
        }),
      });
      expect(DASHBOARD_CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
      prod.hasResourceProperties('AWS::CloudFront::Function', { FunctionCode: DASHBOARD_VIEWER_REQUEST });
    });

    it('uploads the built page under dashboard/ on each deploy, prunes and invalidates it, and removes it with the stack', () => {
      prod.hasResourceProperties('Custom::CDKBucketDeployment', {
        DestinationBucketName: { Ref: bucketId() },
        DestinationBucketKeyPrefix: 'dashboard/',
        Prune: true,
        RetainOnDelete: false,
        SystemMetadata: { 'cache-control': 'no-cache' },
        DistributionId: { Ref: Match.stringLikeRegexp('^EdgeDistribution') },
        DistributionPaths: ['/dashboard*'],
      });
      prod.hasOutput('ReportsDashboardUrl', { Value: 'https://track.example.com/dashboard/' });
    });
  });

  it('outputs the tracking URL, a campaign URL and the postback URL for networks', () => {
    prod.hasOutput('TrackingBaseUrl', { Value: 'https://track.example.com' });
    prod.hasOutput('ConfigTableName', { Value: { Ref: findTable('Config') } });
    prod.hasOutput('ExampleCampaignUrl', { Value: 'https://track.example.com/c/<campaignId>' });
    prod.hasOutput('PostbackUrl', { Value: 'https://track.example.com/postback?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL' });
    dev.hasOutput('PostbackUrl', {
      Value: { 'Fn::Join': ['', ['https://', Match.anyValue(), '/postback?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL']] },
    });
  });

  it('refuses a click window that is not 1-365 whole days', () => {
    expect(() => synth({ clickTtlDays: 0 })).toThrow(/clickTtlDays/);
    expect(() => synth({ clickTtlDays: 2.5 })).toThrow(/clickTtlDays/);
  });

  it('synthesizes the same template twice', () => {
    expect(synth().toJSON()).toEqual(dev.toJSON());
  });

  it.each([
    ['dev', {}],
    ['prod with custom domains', { stage: 'prod' as const, domainNames: ['track.example.com'], certificateArn: CERTIFICATE }],
  ])('passes the cdk-nag AwsSolutions checks (%s): every finding fixed or acknowledged with a reason', (_, props) => {
    expect(() => synth(props, true)).not.toThrow();
  });
});
