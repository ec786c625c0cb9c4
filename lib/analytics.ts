import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { BlockPublicAccess, Bucket, BucketEncryption, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CLICK_COLUMNS, CONVERSION_COLUMNS } from '../lambda/domain/analytics';
import { TrackerFunction, TrackerFunctionProps } from './tracker-function';

export interface TrackingAnalyticsProps {
  /** Both need a stream with new images. */
  readonly clicksTable: ITable;
  readonly conversionsTable: ITable;
  /** For the exporter function: its environment must name the two tables. */
  readonly exporter: Omit<TrackerFunctionProps, 'entry' | 'description'>;
  /** Of the buckets. @default RemovalPolicy.DESTROY (RETAIN keeps the lake after the stack) */
  readonly removalPolicy?: RemovalPolicy;
}

/** Athena SQL over the two tables; conversions keep every version, so each query takes the latest. */
const namedQueries = (database: string): Record<string, { description: string; sql: string }> => {
  const latestConversions = `(SELECT * FROM (SELECT c.*, row_number() OVER (PARTITION BY clickid, conversionkey ORDER BY version DESC) AS latest FROM "${database}"."conversions" c) WHERE latest = 1 AND coalesce(status, '') NOT IN ('rejected', 'chargeback'))`;
  return {
    'Revenue by campaign and day': {
      description: 'Conversions and revenue per campaign per conversion day (latest status of each conversion)',
      sql: `SELECT campaignid, substr(convertedat, 1, 10) AS day, count(*) AS conversions, sum(payout) AS revenue\nFROM ${latestConversions}\nGROUP BY 1, 2 ORDER BY 2 DESC, 4 DESC`,
    },
    'Conversion lag distribution': {
      description: 'How long after the click conversions arrive, in buckets',
      sql: `SELECT CASE WHEN lag < 5 THEN '< 5 min' WHEN lag < 60 THEN '5-60 min' WHEN lag < 1440 THEN '1-24 h' WHEN lag < 10080 THEN '1-7 days' ELSE '> 7 days' END AS lag, count(*) AS conversions\nFROM (SELECT date_diff('minute', from_iso8601_timestamp(clickedat), from_iso8601_timestamp(convertedat)) AS lag FROM ${latestConversions})\nGROUP BY 1 ORDER BY min(lag)`,
    },
    'Top countries by EPC': {
      description: 'Earnings per click by visitor country, last 30 days',
      sql: `WITH clicks AS (SELECT country, count(*) AS clicks FROM "${database}"."clicks" WHERE clickedthroughat IS NOT NULL AND dt >= date_format(current_date - interval '30' day, '%Y-%m-%d') GROUP BY 1),\nrevenue AS (SELECT country, sum(payout) AS revenue FROM ${latestConversions} WHERE dt >= date_format(current_date - interval '30' day, '%Y-%m-%d') GROUP BY 1)\nSELECT clicks.country, clicks.clicks, coalesce(revenue.revenue, 0) AS revenue, coalesce(revenue.revenue, 0) / clicks.clicks AS epc\nFROM clicks LEFT JOIN revenue ON clicks.country = revenue.country ORDER BY epc DESC LIMIT 25`,
    },
  };
};

/**
 * Analytics past DynamoDB: the click and conversion streams, flattened by an exporter function,
 * go through Firehose into S3 as Parquet partitioned by day; Glue describes the tables (with
 * partition projection, so no crawler), and an Athena workgroup with saved queries reads them.
 */
export class TrackingAnalytics extends Construct {
  readonly dataBucket: Bucket;
  readonly resultsBucket: Bucket;
  readonly databaseName: string;
  readonly workGroup: CfnWorkGroup;
  readonly exporter: TrackerFunction;

  constructor(scope: Construct, id: string, props: TrackingAnalyticsProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const bucket = (bucketId: string) => {
      const created = new Bucket(this, bucketId, {
        encryption: BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        removalPolicy,
      });
      Validations.of(created).acknowledge({
        id: 'AwsSolutions-S1',
        reason: 'Written by Firehose and Athena only; access is in CloudTrail. Server access logs would add a bucket of logs about log writes.',
      });
      return created;
    };
    this.dataBucket = bucket('Data');
    this.resultsBucket = bucket('QueryResults');
    this.resultsBucket.addLifecycleRule({ expiration: Duration.days(30) });

    this.databaseName = `${Stack.of(this).stackName.toLowerCase().replace(/[^a-z0-9]/g, '_')}_analytics`;
    const database = new CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: this.databaseName, description: 'clickstack clicks and conversions' },
    });

    const firehoseRole = new Role(this, 'FirehoseRole', { assumedBy: new ServicePrincipal('firehose.amazonaws.com') });
    // The actions Firehose's S3 destination documents, on this bucket only.
    firehoseRole.addToPolicy(
      new PolicyStatement({
        actions: ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject'],
        resources: [this.dataBucket.bucketArn, this.dataBucket.arnForObjects('*')],
      }),
    );
    const bucketLogicalId = Stack.of(this).getLogicalId(this.dataBucket.node.defaultChild as CfnBucket);
    Validations.of(firehoseRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/*]`,
      reason: 'Firehose writes objects under date prefixes it names at delivery time: the object ARN must end in /* of the one data bucket.',
    });
    const streams: Record<string, CfnDeliveryStream> = {};
    for (const [name, columns] of [
      ['clicks', CLICK_COLUMNS],
      ['conversions', CONVERSION_COLUMNS],
    ] as const) {
      const table = new CfnTable(this, `${name.charAt(0).toUpperCase()}${name.slice(1)}Table`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName: this.databaseName,
        tableInput: {
          name,
          tableType: 'EXTERNAL_TABLE',
          partitionKeys: [{ name: 'dt', type: 'string' }],
          parameters: {
            classification: 'parquet',
            'projection.enabled': 'true',
            'projection.dt.type': 'date',
            'projection.dt.format': 'yyyy-MM-dd',
            'projection.dt.range': '2025-01-01,NOW',
            'projection.dt.interval': '1',
            'projection.dt.interval.unit': 'DAYS',
            'storage.location.template': `s3://${this.dataBucket.bucketName}/${name}/dt=\${dt}/`,
          },
          storageDescriptor: {
            columns: Object.entries(columns).map(([column, type]) => ({ name: column.toLowerCase(), type })),
            location: `s3://${this.dataBucket.bucketName}/${name}/`,
            inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          },
        },
      });
      table.node.addDependency(database);
      firehoseRole.addToPolicy(
        new PolicyStatement({
          actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
          resources: [
            `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}:catalog`,
            `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}:database/${this.databaseName}`,
            `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}:table/${this.databaseName}/${name}`,
          ],
        }),
      );
      const stream = new CfnDeliveryStream(this, `${name.charAt(0).toUpperCase()}${name.slice(1)}Delivery`, {
        deliveryStreamType: 'DirectPut',
        deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
        extendedS3DestinationConfiguration: {
          bucketArn: this.dataBucket.bucketArn,
          roleArn: firehoseRole.roleArn,
          prefix: `${name}/dt=!{timestamp:yyyy-MM-dd}/`,
          errorOutputPrefix: `errors/${name}/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`,
          // Format conversion needs buffers of at least 64 MB.
          bufferingHints: { intervalInSeconds: 300, sizeInMBs: 64 },
          compressionFormat: 'UNCOMPRESSED',
          dataFormatConversionConfiguration: {
            enabled: true,
            inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
            outputFormatConfiguration: { serializer: { parquetSerDe: { compression: 'SNAPPY' } } },
            schemaConfiguration: {
              catalogId: Aws.ACCOUNT_ID,
              databaseName: this.databaseName,
              tableName: name,
              region: Aws.REGION,
              roleArn: firehoseRole.roleArn,
              versionId: 'LATEST',
            },
          },
        },
      });
      stream.node.addDependency(firehoseRole);
      stream.node.addDependency(table);
      streams[name] = stream;
    }

    this.exporter = new TrackerFunction(this, 'Exporter', {
      ...props.exporter,
      entry: 'handlers/analytics-export.ts',
      description: 'Exports click and conversion stream records to Firehose',
      environment: {
        ...props.exporter.environment,
        CLICKS_DELIVERY_STREAM: streams.clicks.ref,
        CONVERSIONS_DELIVERY_STREAM: streams.conversions.ref,
      },
    });
    this.exporter.addToRolePolicy(
      new PolicyStatement({ actions: ['firehose:PutRecordBatch'], resources: Object.values(streams).map((stream) => stream.attrArn) }),
    );
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'The DynamoDB stream event source needs dynamodb:ListStreams, which has no resource-level permission (Resource *).',
    });
    const failures = new Queue(this, 'ExportFailures', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the failure destination of the export: it holds the stream positions of batches that could not be exported.',
    });
    for (const table of [props.clicksTable, props.conversionsTable]) {
      this.exporter.addEventSource(
        new DynamoEventSource(table, {
          startingPosition: StartingPosition.LATEST,
          batchSize: 500,
          maxBatchingWindow: Duration.seconds(10),
          bisectBatchOnError: true,
          retryAttempts: 10,
          onFailure: new SqsDlq(failures),
        }),
      );
    }

    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: `${Stack.of(this).stackName}-analytics`,
      description: 'clickstack analytics',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    for (const [name, query] of Object.entries(namedQueries(this.databaseName))) {
      const saved = new CfnNamedQuery(this, name.replace(/[^A-Za-z]/g, ''), {
        name,
        description: query.description,
        database: this.databaseName,
        queryString: query.sql,
        workGroup: this.workGroup.ref,
      });
      saved.node.addDependency(this.workGroup);
    }
  }
}
