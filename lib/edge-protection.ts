import { Aws, CfnRule, Fn } from 'aws-cdk-lib';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface EdgeProtectionProps {
  /**
   * Requests per 5 minutes one IP may make to the visitor routes before it is blocked.
   * @default 2000
   */
  readonly visitorRateLimit?: number;
}

/** Paths WAF leaves alone: networks' postbacks and the pixel must never be blocked, nor the management API. */
const UNFILTERED_PATHS = ['/postback', '/conversion.gif', '/api/'];

const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

/**
 * A CloudFront web ACL for the visitor routes: a per-IP rate limit and AWS managed rule groups
 * (IP reputation, common exploits, known bad inputs). CloudFront web ACLs exist only in
 * us-east-1: the stack refuses to deploy anywhere else with this on.
 */
export class EdgeProtection extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeProtectionProps = {}) {
    super(scope, id);
    new CfnRule(this, 'InUsEast1', {
      assertions: [
        {
          assert: Fn.conditionEquals(Aws.REGION, 'us-east-1'),
          assertDescription: 'A CloudFront web ACL (-c waf=true) can only be created in us-east-1: deploy the stack there.',
        },
      ],
    });
    const visitorRoutesOnly: CfnWebACL.StatementProperty = {
      notStatement: {
        statement: {
          orStatement: {
            statements: UNFILTERED_PATHS.map((path) => ({
              byteMatchStatement: {
                fieldToMatch: { uriPath: {} },
                positionalConstraint: 'STARTS_WITH',
                searchString: path,
                textTransformations: [{ priority: 0, type: 'NONE' }],
              },
            })),
          },
        },
      },
    };
    const managed = ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'];
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('clickstack'),
      rules: [
        {
          name: 'VisitorRateLimit',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: { limit: props.visitorRateLimit ?? 2000, aggregateKeyType: 'IP', scopeDownStatement: visitorRoutesOnly },
          },
          visibilityConfig: visibility('VisitorRateLimit'),
        },
        ...managed.map((name, i) => ({
          name,
          priority: i + 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, scopeDownStatement: visitorRoutesOnly } },
          visibilityConfig: visibility(name),
        })),
      ],
    });
  }
}
