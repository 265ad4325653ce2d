namespace HhLearn.HubSpotEmulator;

/// <summary>The emulator's data as one JSON document (<c>--data FILE</c>).</summary>
public sealed partial class ContactStore
{
    public JsonObject Export()
    {
        lock (_lock)
        {
            return new JsonObject
            {
                ["nextId"] = _nextId,
                ["contacts"] = new JsonArray(_contacts.Values.OrderBy(c => c.Id).Select(c => (JsonNode)new JsonObject
                {
                    ["id"] = c.Id,
                    ["createdAt"] = EmulatorJson.Instant(c.CreatedAt),
                    ["updatedAt"] = EmulatorJson.Instant(c.UpdatedAt),
                    ["properties"] = new JsonObject(c.Values.Where(kv => kv.Value is not null).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
                }).ToArray()),
                ["properties"] = new JsonArray(_properties.Values.Where(p => !p.ReadOnly).Select(p => (JsonNode)p.ToJson()).ToArray()),
                ["groups"] = new JsonArray(_groups.Values.Select(g => g.DeepClone()).ToArray()),
                ["events"] = new JsonArray(_events.Select(e => e.DeepClone()).ToArray()),
                ["mergedInto"] = new JsonObject(_mergedInto.Select(kv => KeyValuePair.Create(kv.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)kv.Value))),
            };
        }
    }

    public void Import(JsonObject data)
    {
        lock (_lock)
        {
            Reset();
            foreach (var p in (data["properties"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var property = ToProperty(p);
                _properties[property.Name] = property;
            }

            foreach (var g in (data["groups"] as JsonArray ?? []).OfType<JsonObject>())
            {
                _groups[g["name"]!.ToString()] = (JsonObject)g.DeepClone();
            }

            foreach (var c in (data["contacts"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var values = (c["properties"] as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => kv.Value?.ToString(), StringComparer.Ordinal);
                var contact = new StoredContact(c["id"]!.GetValue<long>(), DateTimeOffset.Parse(c["createdAt"]!.ToString(), CultureInfo.InvariantCulture));
                contact.UpdatedAt = DateTimeOffset.Parse(c["updatedAt"]!.ToString(), CultureInfo.InvariantCulture);
                foreach (var (k, v) in values)
                {
                    contact.Values[k] = v;
                }

                contact.Index(DateTimeOffset.MinValue);
                _contacts[contact.Id] = contact;
                IndexEmails(contact);
            }

            foreach (var e in (data["events"] as JsonArray ?? []).OfType<JsonObject>())
            {
                _events.Add((JsonObject)e.DeepClone());
            }

            foreach (var (from, to) in data["mergedInto"] as JsonObject ?? [])
            {
                _mergedInto[long.Parse(from, CultureInfo.InvariantCulture)] = to!.GetValue<long>();
            }

            _nextId = Math.Max(data["nextId"]?.GetValue<long>() ?? 1001, _contacts.Count == 0 ? 1001 : _contacts.Keys.Max() + 1);
        }
    }
}
