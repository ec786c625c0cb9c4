import { Arn, ArnFormat, Token, Validations } from 'aws-cdk-lib';
import { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  BehaviorOptions,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Construct } from 'constructs';
import { ORIGIN_HEADER } from '../lambda/origin';

export interface TrackingDistributionProps {
  /** Host name of the tracking API (the origin). */
  readonly originDomainName: string;
  /**
   * Custom tracking domains (CloudFront alternate domain names); requires `certificate`.
   * @default - only the distribution's own cloudfront.net domain
   */
  readonly domainNames?: readonly string[];
  /** ACM certificate in us-east-1 covering every domain name. @default - none */
  readonly certificate?: ICertificate;
  /** @default PriceClass.PRICE_CLASS_ALL, so visitors everywhere get a nearby edge */
  readonly priceClass?: PriceClass;
  /** Sent to the origin in the `x-clickstack-origin` header, so the API knows CloudFront's requests. */
  readonly originSecret: string;
  /** ARN of a CloudFront-scope WAF web ACL. @default - none */
  readonly webAclArn?: string;
  /** Other origins by path pattern, such as the dashboard's bucket. @default - the API only */
  readonly additionalBehaviors?: Readonly<Record<string, BehaviorOptions>>;
}

/**
 * Copies the Host the visitor used into X-Forwarded-Host: CloudFront must send the API's own Host
 * to API Gateway, and the handlers need the tracking domain for `{trackingdomain}`.
 */
const FORWARD_HOST = `function handler(event) {
  var request = event.request;
  request.headers['x-forwarded-host'] = { value: request.headers.host.value };
  return request;
}`;

/**
 * CloudFront in front of the tracking API: HTTPS only (TLS 1.2+), nothing cached, every query
 * string and viewer header but Host forwarded, plus CloudFront's viewer headers (country, device,
 * address) that the click handler records.
 */
export class TrackingDistribution extends Construct {
  readonly distribution: Distribution;
  /** `https://` plus the first custom domain, or the cloudfront.net domain. */
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, props: TrackingDistributionProps) {
    super(scope, id);
    const domainNames = props.domainNames ?? [];
    if (domainNames.length > 0 && !props.certificate) {
      throw new Error('custom tracking domains need a certificate (certificateArn)');
    }
    if (props.certificate && !Token.isUnresolved(props.certificate.certificateArn)) {
      const region = Arn.split(props.certificate.certificateArn, ArnFormat.SLASH_RESOURCE_NAME).region;
      if (region !== 'us-east-1') {
        throw new Error(`CloudFront only accepts ACM certificates from us-east-1; ${props.certificate.certificateArn} is in ${region}`);
      }
    }

    const forwardHost = new CloudFrontFunction(this, 'ForwardHost', {
      code: FunctionCode.fromInline(FORWARD_HOST),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Forward the tracking domain as X-Forwarded-Host',
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'clickstack tracking domain',
      domainNames: domainNames.length > 0 ? [...domainNames] : undefined,
      certificate: props.certificate,
      // Only a custom certificate can set a security policy; the cloudfront.net one is fixed.
      minimumProtocolVersion: props.certificate ? SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass ?? PriceClass.PRICE_CLASS_ALL,
      webAclId: props.webAclArn,
      defaultBehavior: {
        origin: new HttpOrigin(props.originDomainName, {
          protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
          customHeaders: { [ORIGIN_HEADER]: props.originSecret },
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        functionAssociations: [{ function: forwardHost, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: props.additionalBehaviors ? { ...props.additionalBehaviors } : undefined,
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Paid traffic comes from every country; geo rules belong in campaign routing, not at the edge.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason: 'Every click and postback is recorded in DynamoDB and the API access log; per-request CloudFront logs would duplicate them at tracking volume.',
      },
    );
    if (!props.webAclArn) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason: 'WAF is opt-in (-c waf=true): a web ACL in front of paid clicks costs per request and must not drop real visitors; the API stage throttles abuse.',
      });
    }
    if (!props.certificate) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason: 'Without a custom domain the default cloudfront.net certificate applies, whose security policy cannot be set; with domainNames and certificateArn the distribution uses TLSv1.2_2021.',
      });
    }
    this.baseUrl = `https://${domainNames[0] ?? this.distribution.distributionDomainName}`;
  }
}
