using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.IAM;
using T = HhLearn.Store.ProgressTable;

namespace HhLearn.Infra.Constructs;

public sealed record ProgressStoreProps
{
    public required string Stage { get; init; }
}

/// <summary>
/// The progress store: one DynamoDB table, on demand, with point-in-time recovery, kept when the stack is deleted and
/// protected from deletion outside dev; its two sparse indexes (learners by contact id; learners whose projection is
/// behind). The shape is the one <see cref="T"/> defines for the code.
/// </summary>
public sealed class ProgressStore : Construct
{
    public ProgressStore(Construct scope, string id, ProgressStoreProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        Table = new Table(this, "Table", new TableProps
        {
            TableName = $"hhlearn-{props.Stage}-progress",
            PartitionKey = new Amazon.CDK.AWS.DynamoDB.Attribute { Name = T.Key, Type = AttributeType.STRING },
            BillingMode = BillingMode.PAY_PER_REQUEST,
            PointInTimeRecovery = true,
            Encryption = TableEncryption.AWS_MANAGED,

            // The system of record: outside dev never deleted with the stack, and not deletable at all. A dev stage can be
            // destroyed and deployed again (a retained table under its fixed name would make that deploy fail).
            RemovalPolicy = props.Stage == "dev" ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
            DeletionProtection = props.Stage != "dev",

            // Short-lived items (the API's shared HubSpot budget counters) remove themselves.
            TimeToLiveAttribute = T.ExpiresAt,
        });
        Table.AddGlobalSecondaryIndex(new GlobalSecondaryIndexProps
        {
            IndexName = T.ContactIndex,
            PartitionKey = new Amazon.CDK.AWS.DynamoDB.Attribute { Name = T.ContactId, Type = AttributeType.STRING },
            ProjectionType = ProjectionType.KEYS_ONLY,
        });
        Table.AddGlobalSecondaryIndex(new GlobalSecondaryIndexProps
        {
            IndexName = T.DueIndex,
            PartitionKey = new Amazon.CDK.AWS.DynamoDB.Attribute { Name = T.Due, Type = AttributeType.STRING },
            SortKey = new Amazon.CDK.AWS.DynamoDB.Attribute { Name = T.DueSince, Type = AttributeType.STRING },
            ProjectionType = ProjectionType.KEYS_ONLY,
        });
    }

    public Table Table { get; }

    /// <summary>Read and write on this table and its indexes, and nothing else.</summary>
    public void GrantReadWrite(IGrantable grantee) => Table.GrantReadWriteData(grantee);
}
