using System.Net.Http.Headers;

using HhLearn.Cli.Bench;

namespace HhLearn.EndToEnd.Tests;

/// <summary>Bad input never gets a 5xx, always a 4xx with a code, and never changes what the store or HubSpot holds.</summary>
public class BadInputTests
{
    [Fact]
    public void Corpus_HasAtLeast1000DistinctCases()
    {
        var corpus = BadInputCorpus.All();
        Assert.True(corpus.Count >= 1000, $"only {corpus.Count} cases");
        Assert.Equal(corpus.Count, corpus.Select(c => (c.Method, c.Path, Convert.ToBase64String(c.Body ?? []), c.ContentType)).Distinct().Count());
    }

    [Fact]
    public async Task EveryMalformedRequest_Answers4xxWithACode_NoneIs5xx_AndStoredDataIsUnchanged()
    {
        await using var f = await LocalFixture.StartAsync(concurrency: 2);
        // One real learner whose data must not move, and the victim email the corpus names.
        await f.TrackAsync("""{"eventName":"learning_module_completed","contactIdentifier":{"email":"victim@example.com"},"payload":{"course_slug":"git-essentials","module_slug":"commits","ts":"2026-11-27T09:00:00Z"}}""");
        await f.ConvergeAsync();
        var before = Snapshot(f);
        var writesBefore = Writes(f);
        var storedBefore = await StoreSnapshotAsync(f);

        var failures = new List<string>();
        foreach (var bad in BadInputCorpus.All())
        {
            using var request = new HttpRequestMessage(new HttpMethod(bad.Method), bad.Path);
            if (bad.Body is not null)
            {
                request.Content = new ByteArrayContent(bad.Body);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(bad.ContentType);
            }

            using var response = await f.Http.SendAsync(request);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            string? code = null;
            try
            {
                code = (string?)JsonNode.Parse(text)?["details"]?["code"];
            }
            catch (System.Text.Json.JsonException)
            {
            }

            if (status is < 400 or >= 500 || string.IsNullOrEmpty(code))
            {
                failures.Add($"{bad.Name}: {status} {text[..Math.Min(text.Length, 200)]}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        await f.ConvergeAsync();
        Assert.Equal(storedBefore, await StoreSnapshotAsync(f));
        Assert.Equal(before, Snapshot(f));
        Assert.Equal(writesBefore, Writes(f));
    }

    private static string Snapshot(LocalFixture f) =>
        string.Join('\n', f.Emulator.Store.AllContacts().Select(c => c.Id + ":" + string.Join(';', c.Properties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))));

    /// <summary>Every item the store holds, with its version: bad input must add or change none.</summary>
    private static async Task<string> StoreSnapshotAsync(LocalFixture f)
    {
        using var client = f.Service.Dynalite!.Client();
        var scan = await client.ScanAsync(new Amazon.DynamoDBv2.Model.ScanRequest { TableName = f.Service.Store!.TableName, ConsistentRead = true });
        return string.Join('\n', (scan.Items ?? []).Select(i => $"{i["pk"].S} v{i.GetValueOrDefault("version")?.N}").Order(StringComparer.Ordinal));
    }

    private static long Writes(LocalFixture f) =>
        f.Emulator.Stats.Count("POST /crm/v3/objects/contacts") + f.Emulator.Stats.Count("PATCH /crm/v3/objects/contacts/{id}") +
        f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/update") + f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/create");
}
