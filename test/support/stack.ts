import { Template } from 'aws-cdk-lib/assertions';

/** aws-cdk-lib's own BucketDeployment handler (Python) is not one of ours. */
export const isOurFunction = (logicalId: string) => !logicalId.startsWith('CustomCDKBucketDeployment');

/** The stack's own Lambda functions by logical ID, as template JSON. */
export function ourFunctions(template: Template): Record<string, { [key: string]: any }> {
  return Object.fromEntries(Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => isOurFunction(id)));
}
