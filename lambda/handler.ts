import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BadRequest, HttpResponse, error } from './http';

export const logger = new Logger({ serviceName: 'clickstack' });
/** CloudWatch metrics as EMF log lines: no API call on the hot path. */
export const metrics = new Metrics({ namespace: 'clickstack', serviceName: 'clickstack' });

export function count(name: string, dimensions: Record<string, string> = {}): void {
  if (Object.keys(dimensions).length === 0) {
    metrics.addMetric(name, MetricUnit.Count, 1);
    return;
  }
  const single = metrics.singleMetric();
  for (const [dimension, value] of Object.entries(dimensions)) single.addDimension(dimension, value);
  single.addMetric(name, MetricUnit.Count, 1);
}

/** Writes the invocation's metrics; every handler ends with it. */
export function publishMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<HttpResponse>;

/**
 * The boundary every HTTP handler sits behind: a refused request becomes its JSON error, and
 * anything unexpected a logged 500 with no stack trace or internals in the response.
 */
export function httpHandler(handle: HttpHandler): HttpHandler {
  return async (event) => {
    logger.appendKeys({ requestId: event.requestContext.requestId, path: event.rawPath });
    try {
      return await handle(event);
    } catch (caught) {
      if (caught instanceof BadRequest) return error(caught.statusCode, caught.message);
      logger.error('unhandled error', { error: caught as Error });
      return error(500, 'internal error');
    } finally {
      publishMetrics();
      logger.resetKeys();
    }
  };
}
