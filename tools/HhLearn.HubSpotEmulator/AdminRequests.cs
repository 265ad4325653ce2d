namespace HhLearn.HubSpotEmulator;

/// <summary>The admin side under <c>/_emulator/</c>: set-up of real-portal shapes and faults, read from their request bodies.</summary>
internal static class AdminRequests
{
    /// <summary>
    /// <c>POST /_emulator/contacts</c> <c>{"properties":{...},"additionalEmails":[...],"mergedIds":[...]}</c>: a contact set up
    /// directly (no validation, no token), e.g. one that answers to a secondary email or to ids merged into it.
    /// </summary>
    public static ApiAnswer Seed(ContactStore store, JsonObject body)
    {
        var values = (body["properties"] as JsonObject ?? []).Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!.ToString(), StringComparer.Ordinal);
        var additional = (body["additionalEmails"] as JsonArray ?? []).Select(e => e?.ToString()).OfType<string>().ToList();
        if (additional.Count > 0)
        {
            values["hs_additional_emails"] = string.Join(';', additional);
        }

        var merged = (body["mergedIds"] as JsonArray ?? []).Select(e => e?.ToString()).OfType<string>().ToList();
        if (merged.Any(id => !long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)))
        {
            return ContactAnswers.Invalid("mergedIds are numeric contact ids");
        }

        try
        {
            return new ApiAnswer(201, new JsonObject { ["id"] = store.Seed(values, merged) });
        }
        catch (InvalidOperationException ex)
        {
            return new ApiAnswer(409, EmulatorJson.Error(ex.Message, "CONFLICT"));
        }
    }

    /// <summary>The options after a <c>POST /_emulator/faults</c> body: only what it names changes.</summary>
    public static EmulatorOptions ApplyFaults(EmulatorOptions current, JsonObject body, DateTimeOffset now)
    {
        var faults = current.Faults;
        if (body["errorRate"] is { } errorRate)
        {
            faults = faults with { ErrorRate = Math.Clamp(errorRate.GetValue<double>(), 0, 1) };
        }

        if (body["latencyMs"] is { } latency)
        {
            faults = faults with { Latency = TimeSpan.FromMilliseconds(latency.GetValue<double>()) };
        }

        if (body["outageSeconds"] is { } outage)
        {
            var seconds = outage.GetValue<double>();
            faults = faults with { OutageUntil = seconds > 0 ? now.AddSeconds(seconds) : null };
        }

        var options = current with { Faults = faults };
        if (body["dailyLimit"] is { } daily)
        {
            options = options with { DailyLimit = daily.GetValue<int>() };
        }

        if (body["failNextStatus"] is { } failStatus)
        {
            faults = faults with
            {
                FailNextStatus = failStatus.GetValue<int>(),
                FailNextCount = body["failNextCount"]?.GetValue<int>() ?? 1,
                FailNextPolicy = body["failNextPolicy"]?.ToString() ?? "TEN_SECONDLY_ROLLING",
            };
        }

        if (body["rateLimit"] is { } rate)
        {
            options = options with { RequestsPerTenSeconds = rate.GetValue<int>() };
        }

        if (body["searchPerSecond"] is { } searchRate)
        {
            options = options with { SearchRequestsPerSecond = searchRate.GetValue<int>() };
        }

        if (body["searchLagMs"] is { } lag)
        {
            options = options with { SearchLag = TimeSpan.FromMilliseconds(lag.GetValue<double>()) };
        }

        if (body["conflictStyle"]?.ToString() is { } style)
        {
            options = options with { ConflictStyle = Enum.Parse<ConflictStyle>(style, ignoreCase: true) };
        }

        if (body["mergeStyle"]?.ToString() is { } mergeStyle)
        {
            options = options with { MergeStyle = Enum.Parse<MergeStyle>(mergeStyle, ignoreCase: true) };
        }

        return options;
    }

    public static JsonObject FaultsJson(EmulatorOptions options) => new()
    {
        ["errorRate"] = options.Faults.ErrorRate,
        ["latencyMs"] = options.Faults.Latency.TotalMilliseconds,
        ["outageUntil"] = options.Faults.OutageUntil is { } until ? EmulatorJson.Instant(until) : null,
        ["rateLimit"] = options.RequestsPerTenSeconds,
        ["searchPerSecond"] = options.SearchRequestsPerSecond,
        ["searchLagMs"] = options.SearchLag.TotalMilliseconds,
        ["conflictStyle"] = options.ConflictStyle.ToString(),
        ["mergeStyle"] = options.MergeStyle.ToString(),
        ["failNextStatus"] = options.Faults.FailNextStatus,
        ["failNextCount"] = options.Faults.FailNextCount,
        ["dailyLimit"] = options.DailyLimit,
    };
}
