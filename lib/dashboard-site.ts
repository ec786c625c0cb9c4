import { AssetHashType, DefaultStackSynthesizer, DockerImage, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  BehaviorOptions,
  CachePolicy,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  IDistribution,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { DASHBOARD_CONTENT_SECURITY_POLICY, DASHBOARD_PATH, DASHBOARD_VIEWER_REQUEST, buildDashboard } from '../dashboard/site';

/** The bootstrap asset bucket's objects, as cdk-nag names them in its findings. */
function assetObjectsArn(stack: Stack): string {
  const qualifier = stack.synthesizer.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  const known = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  return `arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-${known(stack.account, 'AccountId')}-${known(stack.region, 'Region')}/*`;
}

/**
 * The reports dashboard: a static page in a private S3 bucket, served by the tracking
 * distribution under `/dashboard/` through an origin access control. The page holds no data;
 * every figure comes from `/api/`, which takes the management token.
 */
export class DashboardSite extends Construct {
  /** Where the distribution serves the page. */
  static readonly PATH_PATTERN = `${DASHBOARD_PATH.slice(0, -1)}*`;

  readonly bucket: Bucket;
  /** The distribution behavior for `PATH_PATTERN`. */
  readonly behavior: BehaviorOptions;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Only the built page lives here; the deployment empties it before it goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'The bucket holds the built page, written only by the deployment; reads go through CloudFront, whose requests are the ones to log.',
    });

    const indexDocument = new CloudFrontFunction(this, 'IndexDocument', {
      code: FunctionCode.fromInline(DASHBOARD_VIEWER_REQUEST),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Serve index.html for the dashboard directory',
    });
    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'clickstack dashboard: own scripts only, never framed',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: DASHBOARD_CONTENT_SECURITY_POLICY, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });
    this.behavior = {
      origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: headers,
      functionAssociations: [{ function: indexDocument, eventType: FunctionEventType.VIEWER_REQUEST }],
    };
  }

  /** Uploads the page, built by the local esbuild, and has `distribution` drop its old copy. */
  publish(distribution: IDistribution): BucketDeployment {
    const deployment = new BucketDeployment(this, 'Deployment', {
      sources: [
        Source.asset(`${__dirname}/../dashboard`, {
          assetHashType: AssetHashType.OUTPUT,
          bundling: {
            // Never pulled: local bundling always succeeds or throws.
            image: DockerImage.fromRegistry('scratch'),
            local: {
              tryBundle(outputDir: string) {
                buildDashboard(outputDir);
                return true;
              },
            },
          },
        }),
      ],
      destinationBucket: this.bucket,
      destinationKeyPrefix: DASHBOARD_PATH.slice(1),
      // Browsers revalidate (a 304 on an unchanged ETag), so a deploy shows at once.
      cacheControl: [CacheControl.noCache()],
      distribution,
      distributionPaths: [DashboardSite.PATH_PATTERN],
      retainOnDelete: false,
    });
    // aws-cdk-lib's own sync function (one per stack), run by CloudFormation on deploys only.
    Validations.of(deployment.handlerRole.node.scope!).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason: "aws-cdk-lib's BucketDeployment handler: its Python runtime is chosen by aws-cdk-lib and moves with its version.",
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "aws-cdk-lib's BucketDeployment handler logs through the basic execution policy; it runs during deploys only.",
      },
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: "aws-cdk-lib's BucketDeployment grant: it reads the uploaded asset and syncs the dashboard bucket, deleting what a new build no longer has.",
      })),
      {
        id: `AwsSolutions-IAM5[Resource::${assetObjectsArn(Stack.of(this))}]`,
        reason: "aws-cdk-lib's BucketDeployment grant: it reads the page's asset from the CDK bootstrap bucket.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/*]`,
        reason: 'The deployment writes and prunes every object of the dashboard bucket, which holds nothing else.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: "aws-cdk-lib's BucketDeployment grants CloudFront CreateInvalidation and GetInvalidation on *, to drop the old page after a deploy.",
      },
    );
    return deployment;
  }
}
