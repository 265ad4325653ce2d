using HhLearn.CrmSync;
using HhLearn.CrmSync.Contacts;
using HhLearn.Progress.Events;

namespace HhLearn.TestSupport.Fakes;

/// <summary>
/// The CRM's contacts in memory, behind the application's <see cref="IContactGateway"/>: one request per batch call
/// (as HubSpot charges them), created contacts get the create defaults (a lead), a contact can be deleted or added
/// behind the application's back, and switches make the CRM fail as HubSpot does: an outage (reads throw, writes answer
/// Retry), a refused portal (403), or a learner's values refused for good. The HubSpot adapter (ContactWriter) is
/// tested against the emulator; this stands in for it where the application's own rules are under test.
/// </summary>
public sealed class InMemoryContactGateway : IContactGateway
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, string?>> _contacts = new(StringComparer.Ordinal);
    private long _requests;
    private int _nextId = 1000;

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>The CRM does not answer: reads throw <see cref="CrmCallFailedException"/> (503), writes answer Retry.</summary>
    public bool Outage { get; set; }

    /// <summary>The CRM refuses the token (403 MISSING_SCOPES): reads throw <see cref="CrmForbiddenException"/>, writes answer Misconfigured.</summary>
    public bool Forbidden { get; set; }

    /// <summary>Emails whose values the CRM refuses for good (a 400 on their own input).</summary>
    public ISet<string> Refused { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Adds a contact as marketing (or the earlier system) would have; answers its id.</summary>
    public string Add(string email, IReadOnlyDictionary<string, string>? properties = null)
    {
        lock (_lock)
        {
            var id = (_nextId++).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var values = new Dictionary<string, string?>(StringComparer.Ordinal) { [ContactPropertyNames.Email] = email };
            foreach (var (name, value) in properties ?? new Dictionary<string, string>())
            {
                values[name] = value;
            }

            _contacts[id] = values;
            return id;
        }
    }

    /// <summary>Deletes a contact, as marketing does in HubSpot.</summary>
    public void Delete(string id)
    {
        lock (_lock)
        {
            _contacts.Remove(id);
        }
    }

    /// <summary>The contact holding <paramref name="email"/>, or null.</summary>
    public CrmContact? Contact(string email)
    {
        lock (_lock)
        {
            return ByEmail(email);
        }
    }

    /// <summary>How many contacts the CRM holds.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _contacts.Count;
            }
        }
    }

    public Task<IReadOnlyDictionary<string, CrmContact>> FindAsync(IReadOnlyCollection<ContactTarget> targets, CancellationToken ct) => Read(() =>
    {
        ArgumentNullException.ThrowIfNull(targets);
        var found = new Dictionary<string, CrmContact>(StringComparer.Ordinal);
        var byId = targets.Where(t => t.ContactId is not null).ToList();
        _requests += byId.Count > 0 ? 1 : 0;
        foreach (var target in byId)
        {
            if (_contacts.Keys.Select(Of).FirstOrDefault(c => c.Answers(target.ContactId!)) is { } contact)
            {
                found[target.Ref] = contact;
            }
        }

        var byEmail = targets.Where(t => t.Email is not null && !found.ContainsKey(t.Ref)).ToList();
        _requests += byEmail.Count > 0 ? 1 : 0;
        foreach (var target in byEmail)
        {
            if (ByEmail(target.Email!) is { } contact)
            {
                found[target.Ref] = contact;
            }
        }

        return (IReadOnlyDictionary<string, CrmContact>)found;
    });

    public Task<CrmContact?> ConfirmAsync(ContactTarget target, CancellationToken ct) => Read(() =>
    {
        ArgumentNullException.ThrowIfNull(target);
        _requests++;
        return target.ContactId is { } id && _contacts.ContainsKey(id) ? Of(id) : target.Email is { } email ? ByEmail(email) : null;
    });

    public Task<CrmContact?> FindBySecondaryEmailAsync(string email, CancellationToken ct) => Read(() =>
    {
        _requests++;
        return ByEmail(email) is { } contact && contact.Property(ContactPropertyNames.Email) != email ? contact : null;
    });

    public Task<IReadOnlyList<ContactWriteResult>> CreateAsync(IReadOnlyList<(ContactTarget Target, IReadOnlyDictionary<string, string> Properties)> items, CancellationToken ct) =>
        Write(items.Select(i => i.Target.Ref), () => (IReadOnlyList<ContactWriteResult>)items.Select(item =>
        {
            var email = item.Target.Email!;
            if (Refused.Contains(email))
            {
                return new ContactWriteResult(item.Target.Ref, ContactWriteStatus.Refused, null, Error: "400 VALIDATION_ERROR");
            }

            if (ByEmail(email) is { } existing)
            {
                return new ContactWriteResult(item.Target.Ref, ContactWriteStatus.Exists, existing.Id);
            }

            var id = (_nextId++).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _contacts[id] = new Dictionary<string, string?>(StringComparer.Ordinal) { [ContactPropertyNames.LifecycleStage] = "lead", [ContactPropertyNames.Email] = email };
            Merge(id, item.Properties);
            return new ContactWriteResult(item.Target.Ref, ContactWriteStatus.Written, id, Created: true);
        }).ToList());

    public Task<IReadOnlyList<ContactWriteResult>> UpdateAsync(IReadOnlyList<(string Ref, string ContactId, IReadOnlyDictionary<string, string> Properties)> items, CancellationToken ct) =>
        Write(items.Select(i => i.Ref), () => (IReadOnlyList<ContactWriteResult>)items.Select(item =>
        {
            if (!_contacts.TryGetValue(item.ContactId, out var contact))
            {
                return new ContactWriteResult(item.Ref, ContactWriteStatus.NotFound, null);
            }

            if (contact.GetValueOrDefault(ContactPropertyNames.Email) is { } email && Refused.Contains(email))
            {
                return new ContactWriteResult(item.Ref, ContactWriteStatus.Refused, null, Error: "400 VALIDATION_ERROR");
            }

            Merge(item.ContactId, item.Properties);
            return new ContactWriteResult(item.Ref, ContactWriteStatus.Written, item.ContactId);
        }).ToList());

    private Task<T> Read<T>(Func<T> read)
    {
        lock (_lock)
        {
            if (Outage || Forbidden)
            {
                _requests++;
                return Task.FromException<T>(Forbidden
                    ? new CrmForbiddenException("MISSING_SCOPES", "fake-403", "HubSpotForbiddenException", "the token lacks a scope", ["crm.objects.contacts.write"])
                    : new CrmCallFailedException(503, null, "fake-503", "HubSpotServerException", "the CRM is unavailable"));
            }

            return Task.FromResult(read());
        }
    }

    private Task<IReadOnlyList<ContactWriteResult>> Write(IEnumerable<string> refs, Func<IReadOnlyList<ContactWriteResult>> write)
    {
        lock (_lock)
        {
            _requests++;
            if (Outage || Forbidden)
            {
                var status = Forbidden ? ContactWriteStatus.Misconfigured : ContactWriteStatus.Retry;
                return Task.FromResult<IReadOnlyList<ContactWriteResult>>(refs.Select(r => new ContactWriteResult(r, status, null, Error: Forbidden ? "403 MISSING_SCOPES" : "503 HubSpotServerException")).ToList());
            }

            return Task.FromResult(write());
        }
    }

    private void Merge(string id, IReadOnlyDictionary<string, string> properties)
    {
        foreach (var (name, value) in properties)
        {
            _contacts[id][name] = value;
        }
    }

    private CrmContact Of(string id) => new(id, new Dictionary<string, string?>(_contacts[id], StringComparer.Ordinal));

    private CrmContact? ByEmail(string email) => _contacts.Keys.Select(Of).FirstOrDefault(c => c.HasEmail(EmailAddress.Normalize(email)));
}
