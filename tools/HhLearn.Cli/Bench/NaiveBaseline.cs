using System.Net.Http.Headers;

namespace HhLearn.Cli.Bench;

/// <summary>
/// What a first version of this integration did, and what most hand-rolled HubSpot syncs do: per event, search the
/// contact by email, read it by id (or create it on a miss), apply, update. One event at a time per request, no
/// batching, no retry, no client-side rate limiting. Kept here only to be measured against.
/// </summary>
public sealed class NaiveBaseline(HttpClient hubSpot)
{
    /// <summary>Syncs one track body; false when any call failed (the event is then lost: nothing retries it).</summary>
    public async Task<bool> SyncAsync(string body, CancellationToken ct)
    {
        var e = TrackEventParser.Parse(body).Value!;
        var search = await SendAsync(HttpMethod.Post, "crm/v3/objects/contacts/search",
            new JsonObject
            {
                ["filterGroups"] = new JsonArray(new JsonObject { ["filters"] = new JsonArray(new JsonObject { ["propertyName"] = "email", ["operator"] = "EQ", ["value"] = e.Email }) }),
                ["properties"] = new JsonArray("email"),
                ["limit"] = 1,
            }, ct);
        if (search is null)
        {
            return false;
        }

        string id;
        JsonObject properties;
        if (search["results"] is JsonArray { Count: > 0 } results)
        {
            id = (string)results[0]!["id"]!;
            var read = await SendAsync(HttpMethod.Get, $"crm/v3/objects/contacts/{id}?properties={string.Join(',', ContactPropertyNames.ReadSet)}", null, ct);
            if (read is null)
            {
                return false;
            }

            properties = read["properties"]!.AsObject();
        }
        else
        {
            // The search index lags writes by seconds: a learner created a moment ago is "missing" again.
            var created = await SendAsync(HttpMethod.Post, "crm/v3/objects/contacts", new JsonObject { ["properties"] = new JsonObject { ["email"] = e.Email, ["lifecyclestage"] = "lead" } }, ct);
            if (created is null)
            {
                return false;
            }

            id = (string)created["id"]!;
            properties = new JsonObject();
        }

        var stored = properties.ToDictionary(kv => kv.Key, kv => kv.Value?.ToString());
        var learner = ContactProgress.Read(stored).Value ?? LearnerProgress.New;
        var applied = ProgressEngine.Apply(learner, e, Workload.Catalog, DateTimeOffset.UtcNow);
        if (!applied.IsApplied)
        {
            return true;
        }

        var update = ContactProgress.Build(applied.Learner, Workload.Catalog, DateTimeOffset.UtcNow);
        var patch = new JsonObject { ["properties"] = new JsonObject(update.Properties.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))) };
        return await SendAsync(HttpMethod.Patch, $"crm/v3/objects/contacts/{id}", patch, ct) is not null;
    }

    private async Task<JsonObject?> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Local.LocalService.EmulatorToken);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await hubSpot.SendAsync(request, ct);
            return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) as JsonObject : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
