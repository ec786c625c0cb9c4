import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { secretsEqual } from './domain/secrets';
import { viewerIp } from './domain/visit';

/** CloudFront adds this header with the stack's origin secret to every request it forwards. */
export const ORIGIN_HEADER = 'x-clickstack-origin';

/**
 * Whether the request came through our CloudFront distribution. Only then are its CloudFront-*
 * viewer headers CloudFront's and not the caller's. Without a configured secret (the local
 * runtime) every request counts as coming through it.
 */
export function viaCloudFront(event: APIGatewayProxyEventV2): boolean {
  const secret = process.env.ORIGIN_SECRET;
  return !secret || secretsEqual(event.headers?.[ORIGIN_HEADER] ?? '', secret);
}

/** The caller's IP: CloudFront's viewer address when it is CloudFront's, else the TCP peer. */
export function clientIp(event: APIGatewayProxyEventV2): string {
  const sourceIp = event.requestContext.http.sourceIp;
  return viaCloudFront(event) ? viewerIp(event.headers ?? {}, sourceIp) : sourceIp;
}
