/**
 * AWS list prices, us-east-1, on-demand, no free tier, as published on the AWS pricing pages
 * (checked 2026-11-24; DynamoDB's figures are those after the November 2024 on-demand cut).
 * Change them here when AWS does.
 */
export const PRICES = {
  /** aws.amazon.com/cloudfront/pricing: HTTPS requests, North America/Europe, per 10,000. */
  cloudFrontHttpsPer10k: 0.01,
  /** aws.amazon.com/cloudfront/pricing: data transfer out to the internet, first 10 TB, per GB. */
  cloudFrontTransferPerGb: 0.085,
  /** aws.amazon.com/api-gateway/pricing: HTTP API, first 300 million requests, per million. */
  httpApiPerMillion: 1.0,
  /** aws.amazon.com/lambda/pricing: requests, per million. */
  lambdaRequestsPerMillion: 0.2,
  /** aws.amazon.com/lambda/pricing: Arm duration, per GB-second (first 6 billion GB-s). */
  lambdaArmPerGbSecond: 0.0000133334,
  /** aws.amazon.com/dynamodb/pricing/on-demand: per million write request units. */
  dynamoDbWritePerMillion: 0.625,
  /** aws.amazon.com/dynamodb/pricing/on-demand: per million read request units. */
  dynamoDbReadPerMillion: 0.125,
} as const;

/** voluum.com/pricing: overage per 1,000 events on its paid plans, low and high end. */
export const VOLUUM_OVERAGE_PER_1000 = { low: 0.05, high: 0.07 } as const;

export interface EventProfile {
  readonly event: string;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** Billed Lambda duration, stated, not measured: a local run says nothing about Lambda's. */
  readonly lambdaMs: number;
  readonly lambdaMemoryMb: number;
  readonly responseBytes: number;
}

export interface CostLine {
  readonly event: string;
  readonly perMillion: number;
  readonly parts: Readonly<Record<string, number>>;
}

export function costPerMillion(profile: EventProfile): CostLine {
  const million = 1_000_000;
  const parts = {
    cloudFront: PRICES.cloudFrontHttpsPer10k * 100 + (profile.responseBytes * million * PRICES.cloudFrontTransferPerGb) / 1e9,
    httpApi: PRICES.httpApiPerMillion,
    lambda:
      PRICES.lambdaRequestsPerMillion +
      (profile.lambdaMemoryMb / 1024) * (profile.lambdaMs / 1000) * million * PRICES.lambdaArmPerGbSecond,
    dynamoDb: profile.writeUnits * PRICES.dynamoDbWritePerMillion + profile.readUnits * PRICES.dynamoDbReadPerMillion,
  };
  return { event: profile.event, perMillion: Object.values(parts).reduce((a, b) => a + b, 0), parts };
}
