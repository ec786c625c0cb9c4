import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ReceivedPostback } from '../domain/postback-service';
import { logger } from '../handler';
import { postbackService } from '../wiring';

const service = postbackService();

/**
 * SQS worker for postbacks that arrived before their click was written: each is tried again;
 * one still waiting goes back to the queue (SQS redelivers it after the visibility timeout).
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const result = await service.retry(JSON.parse(record.body) as ReceivedPostback);
      if (result.outcome === 'pending') batchItemFailures.push({ itemIdentifier: record.messageId });
    } catch (error) {
      logger.error('pending postback failed', { error: error as Error, messageId: record.messageId });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
