namespace HhLearn.CrmSync;

/// <summary>
/// A learner the store has never seen may have progress in HubSpot from the earlier system: its first read reads the
/// contact once and keeps it. No contact: a stranger, remembered for <see cref="StoreBackendOptions.StrangerLifetime"/>
/// (so its reads cost at most one HubSpot call per lifetime). HubSpot down, or the shared budget spent: the read answers
/// from what the store has (nothing yet). A person who was forgotten, or kept out of HubSpot, is never imported.
/// </summary>
public sealed class FirstReadImport(ILegacyImports store, IContactGateway contacts, ISyncLog log, StoreBackendOptions options)
{
    /// <summary>The name of the shared budget the API's HubSpot imports draw on.</summary>
    public const string ReadBudgetName = "api-hubspot-reads";

    /// <summary>The learner imported from HubSpot, or null (a stranger, a suppressed person, HubSpot unavailable).</summary>
    /// <exception cref="PermanentSyncException">The contact's progress is corrupt: nothing imported.</exception>
    public async Task<StoredLearner?> ImportAsync(LearnerIdentity who, LogContext context, CancellationToken ct)
    {
        // A person who was forgotten, or kept out of HubSpot, reads as a new learner: HubSpot is not even asked. Nor is it
        // for a stranger it had nobody for a moment ago.
        if (await store.SuppressionForAsync(who, null, ct) is not null || await store.IsRecentStrangerAsync(who, ct))
        {
            return null;
        }

        var cost = (who.Email is null ? 0 : 1) + (who.ContactId is null ? 0 : 1);
        if (options.SharedReadBudget is { } budget && !await store.TryTakeSharedBudgetAsync(ReadBudgetName, budget, cost, ct))
        {
            log.Write(LogLevel.Warn, LogEvents.LegacyImportFailed, "the API's shared HubSpot budget is spent for now; answered from the store (nothing yet), imported on a later read or by the projection",
                context with { Error = "READ_BUDGET_SPENT" });
            return null;
        }

        CrmContact? contact;
        try
        {
            contact = (await contacts.FindAsync([new ContactTarget("read", who.Email, who.ContactId)], ct)).GetValueOrDefault("read");
        }
        catch (CrmCallFailedException ex)
        {
            log.Write(LogLevel.Warn, LogEvents.LegacyImportFailed, "HubSpot could not be read for a learner the store does not know; answered from the store (nothing yet)",
                context with { CorrelationId = ex.CorrelationId, Error = ex.Describe() });
            return null;
        }

        if (contact is null)
        {
            await store.MarkStrangerAsync(who, options.StrangerLifetime, ct);
            return null;
        }

        var read = ContactProgress.Read(contact.Properties);
        if (!read.IsOk)
        {
            log.Write(LogLevel.Error, LogEvents.ProgressStateCorrupt, "the contact's hhl_progress_state is corrupt; it was not imported", context with { ContactId = contact.Id, Error = read.Error });
            throw new PermanentSyncException(SyncErrorCodes.ProgressStateCorrupt, "the HubSpot progress of this learner is corrupt", contact.Id);
        }

        var (imported, outcome) = await store.ImportWithOutcomeAsync(who, read.Value, contact.Id, ct);
        if (outcome == ImportOutcome.Suppressed)
        {
            // The contact's id is suppressed (the person was forgotten under it): nothing is brought back.
            return null;
        }

        log.Write(LogLevel.Info, LogEvents.LegacyImported, "progress held in HubSpot imported on the learner's first read", context with { ContactId = contact.Id });
        return imported;
    }
}
