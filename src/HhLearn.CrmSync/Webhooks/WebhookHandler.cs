namespace HhLearn.CrmSync.Webhooks;

/// <summary>
/// HubSpot's changes applied where identity and privacy rules live (the store): a GDPR delete erases the person's stored
/// progress and keeps them out of HubSpot for good; a deletion suppresses; a restore lifts that; a merge combines the
/// records of the merged ids (the projection then writes the union); an email change makes the record answer to it.
/// Idempotent, so repeated deliveries change nothing; a later event about a contact that is gone changes nothing either.
/// </summary>
public sealed class WebhookHandler(IUpstreamRecords store, INudgeSender? nudges, ISyncLog log)
{
    public async Task HandleAsync(WebhookEvent e, string? requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(e);
        var context = new LogContext { RequestId = requestId, ContactId = e.ObjectId, Fields = [KeyValuePair.Create<string, object?>("eventId", e.EventId)] };
        switch (e.Kind)
        {
            case WebhookKind.PrivacyDeletion:
                var erased = await store.ForgetContactAsync(e.ObjectId, ct);
                log.Write(LogLevel.Warn, LogEvents.LearnerErasedUpstream, $"HubSpot's GDPR delete: {erased.Count} stored record(s) of the person erased; they are kept out of HubSpot for good", context);
                break;
            case WebhookKind.Deletion or WebhookKind.Restore when !await store.TryRecordDeletionOrRestoreAsync(e.ObjectId, e.OccurredAt, ct):
                // A later deletion or restore of this contact was applied already: this older one changes nothing.
                break;
            case WebhookKind.Deletion:
                await store.SuppressContactAsync(e.ObjectId, ct);
                log.Write(LogLevel.Warn, LogEvents.ContactDeletedUpstream, "the contact was deleted in HubSpot; its learner is suppressed (a restore lifts it)", context);
                break;
            case WebhookKind.Restore:
                if (await store.LiftDeletedContactAsync(e.ObjectId, ct))
                {
                    log.Write(LogLevel.Info, LogEvents.WebhookApplied, "the contact was restored in HubSpot; its learner is projected again", context);
                }

                break;
            case WebhookKind.Merge:
                await MergeAsync(e, context, ct);
                break;
            case WebhookKind.EmailChange when e.Email is { } email:
                if (await store.AddEmailAsync(e.ObjectId, email, ct))
                {
                    log.Write(LogLevel.Info, LogEvents.WebhookApplied, "the contact's email changed in HubSpot; its learner answers to the new email too", context);
                }

                break;
        }
    }

    private async Task MergeAsync(WebhookEvent e, LogContext context, CancellationToken ct)
    {
        var survivor = e.NewObjectId ?? e.PrimaryObjectId ?? e.ObjectId;
        var ids = new[] { e.PrimaryObjectId, e.ObjectId, e.NewObjectId }.OfType<string>().Concat(e.MergedObjectIds).Distinct(StringComparer.Ordinal).ToList();
        var records = new List<string>();
        foreach (var id in ids)
        {
            records.AddRange((await store.RecordsOfContactAsync(id, ct)).Where(k => !records.Contains(k, StringComparer.Ordinal)));
        }

        if (records.Count < 2)
        {
            return;
        }

        if (await store.CombineAsync(records[0], records.Skip(1).ToList(), survivor, ct) is { } combined)
        {
            log.Write(LogLevel.Info, LogEvents.LearnersCombined, $"{records.Count} records combined after HubSpot merged their contacts; the contact gets the union",
                context with { ContactId = survivor, Fields = [KeyValuePair.Create<string, object?>("records", records.Count)] });
            if (nudges is not null)
            {
                await nudges.SendAsync([new Nudge(combined.Key, combined.Version)], null, ct);
            }
        }
    }
}
