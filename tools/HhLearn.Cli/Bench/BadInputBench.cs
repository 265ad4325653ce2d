using System.Net.Http.Headers;

namespace HhLearn.Cli.Bench;

/// <summary>Sends the generated bad-input corpus through the local stack and counts answers by status and code.</summary>
public static class BadInputBench
{
    public static async Task<BenchTable> RunAsync(IAnsiConsole console, CancellationToken ct)
    {
        var corpus = BadInputCorpus.All();
        var repeats = Math.Max(1, (int)Math.Ceiling(1000.0 / corpus.Count));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var fiveHundreds = 0;
        var total = 0;
        await using var service = await LocalService.StartAsync(new LocalOptions
        {
            Port = 0,
            EmulatorPort = 0,
            Concurrency = 2,
            Log = _ => { },
            Emulator = new HubSpotEmulator.EmulatorOptions { Token = LocalService.EmulatorToken, RequestsPerTenSeconds = 100_000 },
        }, ct);
        using var http = new HttpClient { BaseAddress = service.ApiUrl };
        await console.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask("bad input", maxValue: corpus.Count * repeats);
            for (var round = 0; round < repeats; round++)
            {
                foreach (var bad in corpus)
                {
                    using var request = new HttpRequestMessage(new HttpMethod(bad.Method), bad.Path);
                    if (bad.Body is not null)
                    {
                        request.Content = new ByteArrayContent(bad.Body);
                        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(bad.ContentType);
                    }

                    using var response = await http.SendAsync(request, ct);
                    var status = (int)response.StatusCode;
                    string code;
                    try
                    {
                        code = (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))?["details"]?["code"] ?? "(no code)";
                    }
                    catch (System.Text.Json.JsonException)
                    {
                        code = "(not JSON)";
                    }

                    var key = $"{status} {code}";
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                    fiveHundreds += status >= 500 ? 1 : 0;
                    total++;
                    task.Increment(1);
                }
            }
        });

        var rows = counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (IReadOnlyList<string>)[kv.Key.Split(' ')[0], kv.Key.Split(' ', 2)[1], kv.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ToList();
        rows.Add(["5xx", "(any)", fiveHundreds.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return new BenchTable(
            "Bad input",
            $"{total} malformed requests ({corpus.Count} distinct cases{(repeats > 1 ? $", each sent {repeats} times" : string.Empty)}) through the API Gateway emulation and the real bootstrap: broken and truncated JSON (every prefix of five valid bodies), wrong types, nulls, oversize bodies, unknown event names, missing slugs, over-long strings, bad emails, deep nesting, huge numbers, invalid UTF-8 and unicode edge cases, wrong methods, content types and queries. Every answer is a 4xx with a code; the 5xx row must read 0.",
            ["status", "code", "count"],
            rows);
    }
}
