import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Click } from '../domain/visit';
import { logger } from '../handler';
import { trackerStore } from '../wiring';

const store = trackerStore();

/** SQS worker for clicks whose write failed on the hot path: writes them now, at least once. */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      try {
        await store.putClick(JSON.parse(record.body) as Click);
      } catch (error) {
        logger.warn('buffered click not written yet', { error: error as Error, messageId: record.messageId });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures };
}
