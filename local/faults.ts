import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Makes matching DynamoDB calls of a client fail as a throttled DynamoDB would, before they are
 * sent (so the SDK's own retries do not hide them). For tests and the soak; returns the function
 * that removes the fault.
 */
export function injectDynamoDbFault(
  client: DynamoDBDocumentClient,
  matches: (commandName: string, input: Record<string, unknown>) => boolean,
): () => void {
  const name = `fault-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (matches(String(context.commandName), args.input as Record<string, unknown>)) {
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: 'ProvisionedThroughputExceededException',
          $fault: 'client',
        });
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return () => client.middlewareStack.remove(name);
}
