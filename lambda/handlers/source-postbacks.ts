import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SOURCE_POSTBACK_ATTEMPTS, SourcePostbackJob, sourcePostbackDelaySeconds } from '../domain/source-postback';
import { count, logger, publishMetrics } from '../handler';
import { sourcePostbackQueue, trackerStore } from '../wiring';

const store = trackerStore();
const queue = sourcePostbackQueue();
const TIMEOUT_MS = 5000;

async function call(url: string): Promise<{ ok: boolean; httpStatus?: number; error?: string }> {
  try {
    const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.arrayBuffer();
    return { ok: response.ok, httpStatus: response.status };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/**
 * SQS worker that tells traffic sources about conversions: one GET of the filled postback URL
 * with a timeout; a failed try is queued again with a growing delay, the last failure is recorded
 * on the conversion and the message goes to the dead-letter queue.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const job = JSON.parse(record.body) as SourcePostbackJob;
    try {
      const recorded = (await store.getConversion(job.clickId, job.conversionKey))?.sourcePostback;
      if (recorded?.status === 'sent') continue; // a redelivered message
      if (recorded?.status === 'failed' && recorded.attempts >= job.attempt) {
        // The last try failed and is recorded: on its way to the dead-letter queue, not called again.
        batchItemFailures.push({ itemIdentifier: record.messageId });
        continue;
      }
      const result = await call(job.url);
      const outcome = { attempts: job.attempt, httpStatus: result.httpStatus, error: result.error, at: new Date().toISOString() };
      if (result.ok) {
        await store.recordSourcePostback(job.clickId, job.conversionKey, { status: 'sent', ...outcome });
        count('sourcePostbacksSent');
      } else if (job.attempt < SOURCE_POSTBACK_ATTEMPTS && queue) {
        await queue.send({ ...job, attempt: job.attempt + 1 }, sourcePostbackDelaySeconds(job.attempt));
      } else {
        await store.recordSourcePostback(job.clickId, job.conversionKey, { status: 'failed', ...outcome });
        logger.error('traffic source postback failed', { clickId: job.clickId, ...outcome });
        count('sourcePostbackFailures');
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    } catch (error) {
      logger.error('traffic source postback not processed', { error: error as Error, messageId: record.messageId });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  publishMetrics();
  return { batchItemFailures };
}
