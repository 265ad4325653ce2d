using static HhLearn.HubSpotEmulator.ContactAnswers;

namespace HhLearn.HubSpotEmulator;

/// <summary>What real portals do to records: merges, archiving, GDPR deletion (docs/hubspot.md, "Real portals").</summary>
internal sealed class MergeOperations(PortalData d)
{
    /// <summary>
    /// <c>POST /crm/v3/objects/contacts/merge</c>: one record survives, with the primary's values (blanks filled from
    /// the other), the other's email as an additional email (<c>hs_additional_emails</c>) and the previous ids in
    /// <c>hs_merged_object_ids</c>. With <see cref="MergeStyle.NewId"/> (HubSpot today) it gets a new id and both
    /// previous ids point to it; with <see cref="MergeStyle.KeepPrimary"/> it keeps the primary's id. Reading an old id
    /// then answers the survivor; its emails find it; creating a contact with one of them is a 409 naming it.
    /// </summary>
    public ApiAnswer Merge(string? primaryObjectId, string? objectIdToMerge)
    {
        if (string.IsNullOrEmpty(primaryObjectId) || string.IsNullOrEmpty(objectIdToMerge))
        {
            return Invalid("primaryObjectId and objectIdToMerge are required.");
        }

        lock (d._lock)
        {
            if (d.Find(primaryObjectId, byEmail: false) is not { } primary)
            {
                return NotFound(primaryObjectId);
            }

            if (d.Find(objectIdToMerge, byEmail: false) is not { } other)
            {
                return NotFound(objectIdToMerge);
            }

            if (primary.Id == other.Id)
            {
                return Invalid($"Cannot merge a contact with itself ({primary.Id}).");
            }

            var now = d._time.GetUtcNow();
            d.Unindex(primary);
            d.Unindex(other);
            var newId = d._options().MergeStyle == MergeStyle.NewId;
            var survivor = newId ? new StoredContact(d._nextId++, primary.CreatedAt < other.CreatedAt ? primary.CreatedAt : other.CreatedAt) : primary;
            var additional = primary.AdditionalEmails.Concat(other.AllEmails).ToList();
            var merged = primary.MergedIds.Concat(other.MergedIds).Append(PortalData.Id(other)).Concat(newId ? [PortalData.Id(primary)] : []).ToList();
            foreach (var (name, value) in other.Values.Where(kv => kv.Value is not null && primary.Values.GetValueOrDefault(kv.Key) is null))
            {
                survivor.Values[name] = value;
            }

            foreach (var (name, value) in primary.Values)
            {
                survivor.Values[name] = value;
            }

            survivor.SetList(StoredContact.AdditionalEmailsProperty, additional.Where(e => !string.Equals(e, primary.Email, StringComparison.OrdinalIgnoreCase)));
            survivor.SetList(StoredContact.MergedIdsProperty, merged);

            d._contacts.Remove(other.Id);
            d._mergedInto[other.Id] = survivor.Id;
            if (newId)
            {
                d._contacts.Remove(primary.Id);
                d._mergedInto[primary.Id] = survivor.Id;
            }

            d._contacts[survivor.Id] = survivor;
            d.IndexEmails(survivor);
            survivor.UpdatedAt = now;
            survivor.Index(now);
            d.Changed();
            d.Emit("contact.merge", survivor.Id, e =>
            {
                e["primaryObjectId"] = primary.Id;
                e["mergedObjectIds"] = new JsonArray(primary.Id, other.Id);
                e["newObjectId"] = survivor.Id;
            });
            return new ApiAnswer(200, Contact(survivor, null, [StoredContact.AdditionalEmailsProperty, StoredContact.MergedIdsProperty]));
        }
    }

    /// <summary><c>DELETE /crm/v3/objects/contacts/{id}</c>: the contact is archived: gone by id, by old ids and by email (204).</summary>
    public ApiAnswer Archive(string id)
    {
        lock (d._lock)
        {
            if (d.Find(id, byEmail: false) is not { } contact)
            {
                return NotFound(id);
            }

            d.Remove(contact);
            d._archived[contact.Id] = contact;
            d.Emit("contact.deletion", contact.Id);
            return new ApiAnswer(204, null);
        }
    }

    /// <summary>
    /// Restores an archived (not GDPR-deleted) contact, as HubSpot's recycle bin does within 90 days: it answers by its id
    /// and emails again. 404 when there is no such archived contact; 409 when another contact took one of its emails.
    /// </summary>
    public ApiAnswer Restore(string id)
    {
        lock (d._lock)
        {
            if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric) || !d._archived.TryGetValue(numeric, out var contact))
            {
                return NotFound(id);
            }

            if (contact.AllEmails.FirstOrDefault(e => d._byEmail.ContainsKey(e)) is { } taken)
            {
                return d.Conflict(d._byEmail[taken]);
            }

            d._archived.Remove(numeric);
            d._contacts[contact.Id] = contact;
            d.IndexEmails(contact);
            d.Changed();
            d.Emit("contact.restore", contact.Id);
            return new ApiAnswer(200, Contact(contact, null));
        }
    }

    /// <summary><c>POST /crm/v3/objects/contacts/gdpr-delete</c>: the contact is deleted for good: gone by id, old ids and every email (204).</summary>
    public ApiAnswer GdprDelete(string objectId, string? idProperty)
    {
        lock (d._lock)
        {
            if (d.Find(objectId, string.Equals(idProperty, "email", StringComparison.Ordinal)) is not { } contact)
            {
                return NotFound(objectId);
            }

            d.Remove(contact);
            d.Emit("contact.privacyDeletion", contact.Id);
            return new ApiAnswer(204, null);
        }
    }
}
