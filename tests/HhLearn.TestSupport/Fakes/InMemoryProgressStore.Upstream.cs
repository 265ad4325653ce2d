using HhLearn.Progress.Catalog;
using HhLearn.Progress.Events;
using HhLearn.Progress.Rules;
using HhLearn.Store;

namespace HhLearn.TestSupport.Fakes;

/// <summary>HubSpot's changes flowing back (webhooks), in memory.</summary>
public sealed partial class InMemoryProgressStore
{
    public Task<IReadOnlyList<string>> RecordsOfContactAsync(string contactId, CancellationToken ct) => Run(() => (IReadOnlyList<string>)RecordsOfContact(contactId));

    private List<string> RecordsOfContact(string contactId) =>
        KeysWithContactId(contactId).Append(KeyOfContactId(contactId)).Select(Follow).Where(f => f.Item is not null).Select(f => f.Key).Distinct(StringComparer.Ordinal).ToList();

    public Task<IReadOnlyList<string>> ForgetContactAsync(string contactId, CancellationToken ct) => Run(() =>
    {
        var erased = new List<string>();
        foreach (var key in RecordsOfContact(contactId))
        {
            var row = Follow(key).Item;
            erased.AddRange(Forget(new LearnerIdentity(row?.Email, row?.Email is null ? contactId : null)));
        }

        _suppressions[KeyOfContactId(contactId)] = (SuppressionReasons.Forgotten, Now());
        return (IReadOnlyList<string>)erased;
    });

    /// <summary>Erases the learner and every record combined into theirs, keeping a suppression for each of their keys.</summary>
    private List<string> Forget(LearnerIdentity who)
    {
        var (key, row) = Locate(who);
        var keys = IdentifierKeys([KeyOf(who), key], row, who.ContactId);
        var now = Now();
        foreach (var k in keys)
        {
            _suppressions[k] = (SuppressionReasons.Forgotten, now);
            _strangers.Remove(k);
        }

        return keys.Where(_rows.Remove).ToList();
    }

    public Task SuppressContactAsync(string contactId, CancellationToken ct) => Run(() =>
    {
        foreach (var key in RecordsOfContact(contactId).DefaultIfEmpty(KeyOfContactId(contactId)))
        {
            Suppress(key, SuppressionReasons.DeletedUpstream);
        }
    });

    public Task<bool> LiftDeletedContactAsync(string contactId, CancellationToken ct) => Run(() =>
    {
        var lifted = false;
        foreach (var key in RecordsOfContact(contactId).DefaultIfEmpty(KeyOfContactId(contactId)))
        {
            var row = Follow(key).Item;
            var reason = row?.Suppressed?.Reason ?? SuppressionOfKeys([key]);
            if (reason?.StartsWith(SuppressionReasons.DeletedUpstream, StringComparison.Ordinal) == true)
            {
                lifted |= LiftSuppression(new LearnerIdentity(row?.Email, row?.Email is null ? contactId : null));
            }
        }

        return lifted;
    });

    private bool LiftSuppression(LearnerIdentity who)
    {
        var (key, row) = Locate(who);
        var lifted = false;
        foreach (var k in IdentifierKeys([KeyOf(who), key], row, who.ContactId))
        {
            lifted |= _suppressions.Remove(k);
        }

        if (row?.Suppressed is not null)
        {
            row.Suppressed = null;
            MarkBehind(key, time.GetUtcNow());
            lifted = true;
        }

        return lifted;
    }

    public Task<bool> AddEmailAsync(string contactId, string email, CancellationToken ct) => Run(() =>
    {
        ArgumentNullException.ThrowIfNull(email);
        if (RecordsOfContact(contactId) is not [var primary, ..])
        {
            return false;
        }

        var emailKey = KeyOf(new LearnerIdentity(EmailAddress.Normalize(email), null));
        var (existing, row) = Follow(emailKey);
        if (existing == primary)
        {
            return false;
        }

        if (row is not null)
        {
            return Combine(primary, [existing], contactId) is not null;
        }

        _rows[emailKey] = new Row(emailKey) { AliasOf = primary, Version = 1, Email = EmailAddress.Normalize(email) };
        _rows[primary].Aliases.Add(emailKey);
        return true;
    });

    public Task<bool> TryRecordDeletionOrRestoreAsync(string contactId, long occurredAt, CancellationToken ct) => Run(() =>
    {
        if (_contactEvents.TryGetValue(contactId, out var latest) && latest > occurredAt)
        {
            return false;
        }

        _contactEvents[contactId] = occurredAt;
        return true;
    });
}
