import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';

/** Work to be done later, at least once: SQS in AWS and in the local runtime alike. */
export interface MessageQueue<T> {
  send(message: T, delaySeconds?: number): Promise<void>;
}

export class SqsQueue<T> implements MessageQueue<T> {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: T, delaySeconds?: number): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message), DelaySeconds: delaySeconds }),
    );
  }
}
