using HhLearn.Progress.Catalog;
using HhLearn.Progress.Events;
using HhLearn.Progress.Rules;
using HhLearn.Progress.Views;
using HhLearn.Progress.State;
using HhLearn.Store;

namespace HhLearn.TestSupport.Fakes;

/// <summary>
/// The progress store in memory: every port of <see cref="IProgressRepository"/> with the DynamoDB store's rules (the
/// same contract tests run against both, StoreContractTests), so that the application's tests run in milliseconds
/// without dynalite. One lock makes every call atomic, so no write ever loses a race (Attempts is always 1).
/// <see cref="Unavailable"/> makes every call fail as an outage does.
/// </summary>
public sealed partial class InMemoryProgressStore(LearningCatalog catalog, TimeProvider time) : IProgressRepository
{
    private const int MaxAliasHops = 3;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Row> _rows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Reason, string At)> _suppressions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _strangers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _tallies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _contactEvents = new(StringComparer.Ordinal);

    /// <summary>When true, every call throws <see cref="StoreUnavailableException"/> and changes nothing (an outage).</summary>
    public bool Unavailable { get; set; }

    /// <summary>How many calls were made (a test of "costs no store call" reads it).</summary>
    public int Calls { get; private set; }

    /// <summary>The key of the record a learner with only this identity has (what a first event creates).</summary>
    public static string KeyOf(LearnerIdentity who) => "L#" + (who ?? throw new ArgumentNullException(nameof(who))).Key;

    /// <summary>The key a learner known only by <paramref name="contactId"/> has (and its suppression is recorded under).</summary>
    public static string KeyOfContactId(string contactId) => KeyOf(new LearnerIdentity(null, contactId));

    /// <summary>Every learner record (aliases left out), as stored.</summary>
    public IReadOnlyList<StoredLearner> Learners()
    {
        lock (_lock)
        {
            return _rows.Values.Where(r => r.AliasOf is null).Select(r => r.ToStored()).ToList();
        }
    }

    public Task<StoredLearner?> ReadAsync(LearnerIdentity who, CancellationToken ct) => Run(() => Locate(who).Item?.ToStored());

    public Task<StoreWrite> ApplyAsync(LearnerIdentity who, Func<LearnerProgress, ApplyResult> apply, CancellationToken ct) => Run(() =>
    {
        ArgumentNullException.ThrowIfNull(apply);
        var (key, row) = Locate(who);
        var current = row?.ToStored() ?? new StoredLearner
        {
            Key = key, Email = who.Email, ContactId = who.Email is null ? who.ContactId : null, Names = who.Names, Suppressed = SuppressionFor(who, null),
        };
        if (current.Corruption is not null)
        {
            return new StoreWrite(StoreOutcome.Corrupt, current, null, 1);
        }

        var result = apply(current.Learner);
        if (!result.IsApplied)
        {
            return new StoreWrite(StoreOutcome.Rejected, current, result, 1);
        }

        var values = LearnerFields.Write(result.Learner);
        if (current.Exists && LearnerFields.SameValues(values, LearnerFields.Write(current.Learner)))
        {
            return new StoreWrite(StoreOutcome.Unchanged, current, result, 1);
        }

        var length = values[LearnerField.State].Length;
        if (length > Limits.MaxPropertyValueLength)
        {
            return new StoreWrite(StoreOutcome.TooLarge, current, result, 1, length);
        }

        var now = Now();
        if (row is null)
        {
            row = new Row(key)
            {
                Email = current.Email, Names = current.Names, ContactId = current.ContactId, ImportPending = true,
                Suppressed = current.Suppressed is null ? null : (current.Suppressed.Split(" at ", 2)[0], now),
            };
            _rows[key] = row;
        }

        row.Learner = result.Learner;
        row.Version++;
        row.UpdatedAt = now;
        if (row.Projectable)
        {
            row.Due = true;
            row.DueSince ??= now;
        }

        return new StoreWrite(StoreOutcome.Written, row.ToStored(), result, 1, length);
    });

    public Task<(StoredLearner Learner, ImportOutcome Outcome)> ImportWithOutcomeAsync(LearnerIdentity who, LearnerProgress legacy, string contactId, CancellationToken ct, string? knownKey = null) => Run(() =>
    {
        ArgumentNullException.ThrowIfNull(legacy);
        var (key, row) = knownKey is null ? Locate(who) : Follow(knownKey);
        var now = Now();
        if (row is null && SuppressionFor(who, contactId) is { } suppressed)
        {
            return (new StoredLearner { Key = key, Email = who.Email, ContactId = contactId, Suppressed = suppressed }, ImportOutcome.Suppressed);
        }

        if (row is null)
        {
            var normalized = ProgressMerge.Merge(LearnerProgress.New, legacy, catalog);
            var asHeld = LearnerFields.Same(normalized, legacy);
            row = new Row(key) { Email = who.Email, ContactId = contactId, Learner = normalized, Version = 1, Projected = asHeld ? 1 : 0, UpdatedAt = now };
            if (!asHeld)
            {
                (row.Due, row.DueSince) = (true, now);
            }

            _rows[key] = row;
            return (row.ToStored(), ImportOutcome.Created);
        }

        if (row.Corruption is not null)
        {
            return (row.ToStored(), ImportOutcome.Corrupt);
        }

        var merged = ProgressMerge.Merge(row.Learner, legacy, catalog);
        var changed = !LearnerFields.Same(merged, row.Learner);
        if (changed)
        {
            (row.Learner, row.UpdatedAt, row.Due) = (merged, now, true);
            row.Version++;
            row.DueSince ??= now;
        }

        (row.ContactId, row.ImportPending) = (contactId, false);
        return (row.ToStored(), changed ? ImportOutcome.Merged : ImportOutcome.Unchanged);
    });

    public async Task<StoredLearner> ImportAsync(LearnerIdentity who, LearnerProgress legacy, string contactId, CancellationToken ct, string? key = null) =>
        (await ImportWithOutcomeAsync(who, legacy, contactId, ct, key)).Learner;

    public Task<string?> SuppressionForAsync(LearnerIdentity who, string? contactId, CancellationToken ct) => Run(() => SuppressionFor(who, contactId));

    public Task<bool> IsRecentStrangerAsync(LearnerIdentity who, CancellationToken ct) =>
        Run(() => _strangers.TryGetValue(KeyOf(who), out var until) && until > time.GetUtcNow());

    public Task MarkStrangerAsync(LearnerIdentity who, TimeSpan lifetime, CancellationToken ct) => Run(() => _strangers[KeyOf(who)] = time.GetUtcNow() + lifetime);

    public Task<bool> TryTakeSharedBudgetAsync(string name, int perTenSeconds, int cost, CancellationToken ct) => Run(() =>
    {
        var perWindow = perTenSeconds / 2;
        if (cost < 1 || cost > perWindow)
        {
            return cost < 1;
        }

        var tally = $"budget#{name}#{time.GetUtcNow().ToUnixTimeSeconds() / 10}";
        var spent = _tallies.GetValueOrDefault(tally);
        if (spent > perWindow - cost)
        {
            return false;
        }

        _tallies[tally] = spent + cost;
        return true;
    });

    // ---- helpers every port shares ----

    /// <summary>Runs one call atomically (or fails it, during an outage), as a task, as the store's calls are.</summary>
    private Task<T> Run<T>(Func<T> call)
    {
        try
        {
            return Task.FromResult(Locked(call));
        }
        catch (Exception ex)
        {
            return Task.FromException<T>(ex);
        }
    }

    /// <summary>Runs one call atomically, or throws <see cref="StoreUnavailableException"/> during an outage.</summary>
    private T Locked<T>(Func<T> call)
    {
        lock (_lock)
        {
            Calls++;
            return Unavailable ? throw new StoreUnavailableException("the in-memory store is unavailable (a test's outage)") : call();
        }
    }

    private Task<bool> Run(Action call) => Run(() =>
    {
        call();
        return true;
    });

    private (string Key, Row? Item) Locate(LearnerIdentity who)
    {
        ArgumentNullException.ThrowIfNull(who);
        if (who.Email is null && who.ContactId is { } contactId)
        {
            var own = KeyOf(who);
            return Follow(KeysWithContactId(contactId).FirstOrDefault(k => k != own) ?? own);
        }

        return Follow(KeyOf(who));
    }

    private (string Key, Row? Item) Follow(string key)
    {
        for (var hop = 0; hop <= MaxAliasHops; hop++)
        {
            if (!_rows.TryGetValue(key, out var row))
            {
                return (key, null);
            }

            if (row.AliasOf is null)
            {
                return (key, row);
            }

            key = row.AliasOf;
        }

        throw new StoreUnavailableException($"learner {key}: more than {MaxAliasHops} aliases in a row");
    }

    private List<string> KeysWithContactId(string contactId) =>
        _rows.Values.Where(r => r.ContactId == contactId).Select(r => r.Key).Order(StringComparer.Ordinal).ToList();

    private string? SuppressionFor(LearnerIdentity who, string? contactId)
    {
        ArgumentNullException.ThrowIfNull(who);
        var keys = new List<string> { KeyOf(who) };
        keys.AddRange(new[] { who.ContactId, contactId }.OfType<string>().Select(KeyOfContactId));
        return SuppressionOfKeys(keys);
    }

    private string? SuppressionOfKeys(IEnumerable<string> keys) =>
        keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(k => _suppressions.TryGetValue(k, out var s) ? $"{s.Reason} at {s.At}" : null).FirstOrDefault(s => s is not null);

    private string Now() => Stamp.Format(time.GetUtcNow());

    /// <summary>One stored record: a learner, or an alias pointing at one.</summary>
    internal sealed class Row(string key)
    {
        public string Key { get; } = key;
        public string? Email { get; set; }
        public LearnerNames? Names { get; set; }
        public string? ContactId { get; set; }
        public LearnerProgress Learner { get; set; } = LearnerProgress.New;
        public string? Corruption { get; set; }
        public long Version { get; set; }
        public long Projected { get; set; }
        public string? UpdatedAt { get; set; }
        public bool ImportPending { get; set; }
        public string? AliasOf { get; set; }
        public bool Due { get; set; }
        public string? DueSince { get; set; }
        public string? Blocked { get; set; }
        public (string Reason, string At)? Suppressed { get; set; }
        public SortedSet<string> Aliases { get; } = new(StringComparer.Ordinal);
        public string? Lease { get; set; }
        public DateTimeOffset? LeaseUntil { get; set; }

        public bool Projectable => Blocked is null && Suppressed is null;

        public StoredLearner ToStored() => new()
        {
            Key = Key, Email = Email, Names = Names, ContactId = ContactId, Learner = Learner, Corruption = Corruption, Version = Version, ProjectedVersion = Projected,
            UpdatedAt = UpdatedAt, ImportPending = ImportPending, AliasOf = AliasOf, DueSince = DueSince, Blocked = Blocked,
            Suppressed = Suppressed is { } s ? $"{s.Reason} at {s.At}" : null, Aliases = [.. Aliases],
        };
    }
}
