import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BadRequest, HttpResponse, error } from './http';

export const logger = new Logger({ serviceName: 'clickstack' });

export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<HttpResponse>;

/**
 * The boundary every HTTP handler sits behind: a refused request becomes its JSON error, and
 * anything unexpected a logged 500 with no stack trace or internals in the response.
 */
export function httpHandler(handle: HttpHandler): HttpHandler {
  return async (event) => {
    try {
      return await handle(event);
    } catch (caught) {
      if (caught instanceof BadRequest) return error(caught.statusCode, caught.message);
      logger.error('unhandled error', { error: caught as Error, path: event.rawPath });
      return error(500, 'internal error');
    }
  };
}
