using HhLearn.Progress.Catalog;
using HhLearn.Progress.Events;
using HhLearn.Progress.Rules;
using HhLearn.Progress.Views;
using HhLearn.Progress.State;
using HhLearn.Store;

namespace HhLearn.TestSupport.Fakes;

/// <summary>The projection's ledger and window, in memory.</summary>
public sealed partial class InMemoryProgressStore
{
    private ProjectionWindowState? _window;
    private readonly HashSet<string> _windowLearners = new(StringComparer.Ordinal);

    public Task<IReadOnlyDictionary<string, StoredLearner>> GetManyAsync(IEnumerable<string> keys, CancellationToken ct) => Run(() =>
        (IReadOnlyDictionary<string, StoredLearner>)keys.Distinct(StringComparer.Ordinal).Where(_rows.ContainsKey).ToDictionary(k => k, k => _rows[k].ToStored(), StringComparer.Ordinal));

    public Task<IReadOnlyList<string>> DueAsync(DateTimeOffset before, int limit, CancellationToken ct) => Run(() =>
    {
        var cut = Stamp.Format(before);
        return (IReadOnlyList<string>)_rows.Values.Where(r => r.Due && r.DueSince is not null && string.CompareOrdinal(r.DueSince, cut) < 0)
            .OrderBy(r => r.DueSince, StringComparer.Ordinal).ThenBy(r => r.Key, StringComparer.Ordinal).Take(limit).Select(r => r.Key).ToList();
    });

    public Task<IReadOnlySet<string>> ClaimAsync(IEnumerable<string> keys, string owner, TimeSpan lease, CancellationToken ct) => Run(() =>
    {
        var now = time.GetUtcNow();
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
        {
            if (_rows.TryGetValue(key, out var row) && (row.LeaseUntil is null || row.LeaseUntil < now || row.Lease == owner))
            {
                (row.Lease, row.LeaseUntil) = (owner, now + lease);
                held.Add(key);
            }
        }

        return (IReadOnlySet<string>)held;
    });

    public Task ReleaseAsync(IEnumerable<string> keys, string owner, CancellationToken ct) => Run(() =>
    {
        foreach (var key in keys)
        {
            if (_rows.TryGetValue(key, out var row) && row.Lease == owner)
            {
                (row.Lease, row.LeaseUntil) = (null, null);
            }
        }
    });

    public Task<ProjectionMark> MarkProjectedAsync(StoredLearner projected, string contactId, CancellationToken ct) => Run(() =>
    {
        ArgumentNullException.ThrowIfNull(projected);
        if (!_rows.TryGetValue(projected.Key, out var row) || row.Projected >= projected.Version)
        {
            return ProjectionMark.Overtaken;
        }

        (row.Projected, row.ContactId, row.ImportPending, row.Lease, row.LeaseUntil) = (projected.Version, contactId, false, null, null);
        if (row.Version == projected.Version)
        {
            (row.Due, row.DueSince, row.Blocked) = (false, null, null);
            return ProjectionMark.Cleared;
        }

        row.DueSince = Now();
        return ProjectionMark.MovedOn;
    });

    public Task BlockAsync(string key, string reason, CancellationToken ct) => Run(() =>
    {
        if (_rows.TryGetValue(key, out var row))
        {
            (row.Blocked, row.Due, row.DueSince) = (reason, false, null);
        }
    });

    public Task<bool> MarkBehindAsync(string key, DateTimeOffset since, CancellationToken ct) => Run(() => MarkBehind(key, since));

    private bool MarkBehind(string key, DateTimeOffset since)
    {
        if (!_rows.TryGetValue(key, out var row) || row.AliasOf is not null || row.Suppressed is not null)
        {
            return false;
        }

        (row.Due, row.DueSince, row.Projected, row.Blocked) = (true, Stamp.Format(since), 0, null);
        return true;
    }

    public Task<StoredLearner?> CombineAsync(string primaryKey, IReadOnlyCollection<string> otherKeys, string contactId, CancellationToken ct) =>
        Run(() => Combine(primaryKey, otherKeys, contactId));

    private StoredLearner? Combine(string primaryKey, IReadOnlyCollection<string> otherKeys, string contactId)
    {
        var (key, primary) = Follow(primaryKey);
        if (primary is null || primary.Corruption is not null)
        {
            return null;
        }

        var others = otherKeys.Where(k => k != key).Distinct(StringComparer.Ordinal).Select(k => _rows.GetValueOrDefault(k)).OfType<Row>().Where(o => o.AliasOf != key).ToList();
        if (others.Any(o => o.Corruption is not null))
        {
            return null;
        }

        if (others.Count == 0)
        {
            return primary.ToStored();
        }

        primary.Learner = others.Aggregate(primary.Learner, (sum, other) => ProgressMerge.Merge(sum, other.AliasOf is null ? other.Learner : LearnerProgress.New, catalog));
        var now = Now();
        (primary.Version, primary.UpdatedAt, primary.ContactId) = (primary.Version + 1, now, contactId);
        primary.Email ??= others.FirstOrDefault(o => o.Email is not null)?.Email;
        if (primary.Projectable)
        {
            primary.Due = true;
            primary.DueSince ??= now;
        }

        foreach (var other in others)
        {
            primary.Aliases.Add(other.Key);
            primary.Aliases.UnionWith(other.Aliases);
            foreach (var alias in other.Aliases.Where(_rows.ContainsKey))
            {
                _rows[alias].AliasOf = key;
            }

            (other.AliasOf, other.Version, other.Learner, other.Due, other.DueSince, other.ContactId, other.ImportPending) = (key, other.Version + 1, LearnerProgress.New, false, null, null, false);
            (other.Lease, other.LeaseUntil) = (null, null);
            other.Aliases.Clear();
        }

        return primary.ToStored();
    }

    public Task<IReadOnlyList<string>> KeysWithContactIdAsync(string contactId, CancellationToken ct) => Run(() => (IReadOnlyList<string>)KeysWithContactId(contactId));

    public Task SuppressAsync(string key, string reason, CancellationToken ct) => Run(() => Suppress(key, reason));

    private void Suppress(string key, string reason)
    {
        var (primaryKey, row) = Follow(key);
        var now = Now();
        foreach (var suppressed in IdentifierKeys([key, primaryKey], row, null))
        {
            _suppressions[suppressed] = (reason, now);
        }

        if (row is not null)
        {
            (row.Suppressed, row.Due, row.DueSince) = ((reason, now), false, null);
        }
    }

    public Task<string?> SuppressionOfContactsAsync(IEnumerable<string> contactIds, CancellationToken ct) => Run(() => SuppressionOfKeys(contactIds.Select(KeyOfContactId)));

    // ---- the window ----

    public Task<WindowTurn?> OpenOrJoinWindowAsync(string owner, IReadOnlyCollection<string> learners, DateTimeOffset flushAt, DateTimeOffset joinBy, int full, CancellationToken ct,
        Func<Task<bool>>? worthOpening = null)
    {
        ArgumentNullException.ThrowIfNull(learners);
        return EnterAsync(owner, learners, flushAt, joinBy, full, worthOpening);
    }

    private async Task<WindowTurn?> EnterAsync(string owner, IReadOnlyCollection<string> learners, DateTimeOffset flushAt, DateTimeOffset joinBy, int full, Func<Task<bool>>? worthOpening)
    {
        await Task.Yield();
        if (Locked(() => _window is { } open && open.FlushAt >= joinBy && _windowLearners.Count < full ? Join(learners) : null) is { } joined)
        {
            return joined;
        }

        // Asked outside the lock, as the DynamoDB store asks it between its two conditional writes.
        return worthOpening is null || await worthOpening() ? Locked(() => Open(owner, learners, flushAt, joinBy, full)) : null;
    }

    private WindowTurn Join(IReadOnlyCollection<string> learners)
    {
        _windowLearners.UnionWith(learners);
        _window = _window! with { Waiting = _windowLearners.Count };
        return new WindowTurn(false, _window.FlushAt, _windowLearners.Count);
    }

    private WindowTurn Open(string owner, IReadOnlyCollection<string> learners, DateTimeOffset flushAt, DateTimeOffset joinBy, int full)
    {
        if (_window is { } open && open.FlushAt >= joinBy)
        {
            // Opened meanwhile: join it, or ride in its write when it is full.
            return _windowLearners.Count < full ? Join(learners) : new WindowTurn(false, open.FlushAt, open.Waiting);
        }

        _windowLearners.Clear();
        _windowLearners.UnionWith(learners);
        _window = new ProjectionWindowState(owner, flushAt, _windowLearners.Count);
        return new WindowTurn(true, flushAt, learners.Count);
    }

    public Task<ProjectionWindowState?> WindowAsync(CancellationToken ct) => Run(() => _window);

    public Task<bool> MoveWindowAsync(string owner, DateTimeOffset flushAt, CancellationToken ct) => Run(() =>
    {
        if (_window?.Owner != owner)
        {
            return false;
        }

        _window = _window with { FlushAt = flushAt };
        return true;
    });

    public Task<double> CountCallsAsync(string name, long calls, CancellationToken ct) => Run(() =>
    {
        var now = time.GetUtcNow();
        var window = now.ToUnixTimeSeconds() / 10;
        var current = _tallies[$"calls#{name}#{window}"] = _tallies.GetValueOrDefault($"calls#{name}#{window}") + calls;
        var intoWindow = (now.ToUnixTimeMilliseconds() % 10_000) / 10_000.0;
        return current + (_tallies.GetValueOrDefault($"calls#{name}#{window - 1}") * (1 - intoWindow));
    });

    /// <summary>Every learner key of the person: those given, the records combined into theirs, and their contact id's.</summary>
    private static List<string> IdentifierKeys(IEnumerable<string> keys, Row? row, string? contactId) =>
        keys.Concat(row?.Aliases ?? []).Concat(new[] { row?.ContactId, contactId }.OfType<string>().Select(KeyOfContactId)).Distinct(StringComparer.Ordinal).ToList();
}
