import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TABLES, TableName, TableSchema } from '../lambda/store/tables';

export interface TrackingTablesProps {
  /**
   * Keep the tables when the stack is deleted and turn on point-in-time recovery: for a stage that
   * holds real money's data.
   * @default false
   */
  readonly retainData?: boolean;
}

/** Access a function needs to one table, as DynamoDB actions. */
export type TableAccess = Partial<Record<TableName, readonly string[]>>;

/**
 * The tracker's DynamoDB tables (on demand, no physical names), created from the definitions
 * the handlers and the local runtime share.
 */
export class TrackingTables extends Construct {
  readonly tables: Readonly<Record<TableName, Table>>;

  constructor(scope: Construct, id: string, props: TrackingTablesProps = {}) {
    super(scope, id);
    const retain = props.retainData ?? false;
    const tables = {} as Record<TableName, Table>;
    for (const [name, schema] of Object.entries(TABLES) as [TableName, TableSchema][]) {
      tables[name] = new Table(this, name.charAt(0).toUpperCase() + name.slice(1), {
        partitionKey: { name: schema.partitionKey, type: AttributeType.STRING },
        sortKey: schema.sortKey ? { name: schema.sortKey, type: AttributeType.STRING } : undefined,
        timeToLiveAttribute: schema.timeToLiveAttribute,
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: retain },
        deletionProtection: retain,
        removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        // Report aggregation (and the optional analytics export) read the changes of these two.
        stream: name === 'clicks' || name === 'conversions' ? StreamViewType.NEW_AND_OLD_IMAGES : undefined,
      });
      for (const index of schema.indexes ?? []) {
        tables[name].addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
          sortKey: { name: index.sortKey, type: AttributeType.STRING },
        });
      }
    }
    this.tables = tables;
    if (!retain) {
      Validations.of(this).acknowledge({
        id: 'AwsSolutions-DDB3',
        reason: 'A dev stage is disposable; stages that keep data (prod) turn point-in-time recovery on.',
      });
    }
  }

  /** The table-name variables every handler reads at start-up. */
  get environment(): Record<string, string> {
    return Object.fromEntries(
      (Object.keys(TABLES) as TableName[]).map((name) => [TABLES[name].environmentVariable, this.tables[name].tableName]),
    );
  }

  /**
   * Grants exactly the listed actions on exactly the listed tables; a Query also on the table's
   * named indexes (CDK's own grant would add every index to every action).
   */
  grant(grantee: IGrantable, access: TableAccess): void {
    for (const [name, actions] of Object.entries(access) as [TableName, string[]][]) {
      const table = this.tables[name];
      const indexes = actions.includes('dynamodb:Query') ? ((TABLES[name] as TableSchema).indexes ?? []) : [];
      Grant.addToPrincipal({
        grantee,
        actions: [...actions],
        resourceArns: [table.tableArn, ...indexes.map((index) => `${table.tableArn}/index/${index.name}`)],
      });
    }
  }
}
