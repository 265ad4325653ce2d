namespace HhLearn.Cli.Bench;

/// <summary>One malformed request: what is sent, and a name that says why it is bad.</summary>
public sealed record BadRequest(string Name, string Method, string Path, byte[]? Body, string ContentType = "application/json");

/// <summary>
/// A generated corpus of malformed requests: broken and truncated JSON, wrong types, nulls, oversize bodies,
/// unknown event names, missing slugs, over-long strings, bad emails, deep nesting, huge numbers, invalid UTF-8
/// and unicode edge cases, wrong methods and content types, bad queries. Every one must answer 4xx with a code.
/// </summary>
public static class BadInputCorpus
{
    private const string Valid = """{"eventName":"learning_module_completed","eventId":"ok-1","contactIdentifier":{"email":"victim@example.com"},"payload":{"pathway_slug":"cloud-foundations","course_slug":"intro-to-cloud","module_slug":"what-is-cloud","ts":"2026-11-27T10:00:00Z"}}""";

    public static IReadOnlyList<BadRequest> All()
    {
        var list = new List<BadRequest>();
        void Track(string name, string body, string contentType = "application/json") =>
            list.Add(new BadRequest(name, "POST", "events/track", Encoding.UTF8.GetBytes(body), contentType));
        void Raw(string name, byte[] body) => list.Add(new BadRequest(name, "POST", "events/track", body));
        string With(string field, string json) => Valid.Replace($"\"{field}\":", $"\"{field}\":{json},\"_was\":", StringComparison.Ordinal);

        // Broken and truncated JSON: every prefix of several valid bodies (a JSON object cut short is never valid).
        foreach (var (label, body) in ValidBodies())
        {
            for (var cut = 1; cut < body.Length; cut++)
            {
                Track($"{label} truncated at {cut}", body[..cut]);

                // Its head cut off instead: what is left always ends in unmatched braces.
                Track($"{label} from {cut}", body[cut..]);
            }
        }

        foreach (var (name, body) in new[]
                 {
                     ("empty", ""), ("whitespace", "   \n "), ("single quotes", "{'eventName':'x'}"), ("trailing comma", """{"eventName":"x",}"""),
                     ("comment", """{/*c*/"eventName":"x"}"""), ("two objects", Valid + Valid), ("trailing garbage", Valid + "x"),
                     ("unquoted key", "{eventName:1}"), ("NaN", """{"eventName":NaN}"""), ("bare word", "hello"), ("duplicate keys", """{"eventName":"learning_pathway_enrolled","eventName":"learning_page_viewed","pathway_slug":"p"}"""),
                     ("array", "[" + Valid + "]"), ("string", "\"text\""), ("number", "42"), ("null", "null"), ("true", "true"),
                 })
        {
            Track(name, body);
        }

        // Wrong types and nulls.
        foreach (var (field, values) in new[]
                 {
                     ("eventName", new[] { "1", "true", "null", "[]", "{}", "\"\"" }),
                     ("eventId", new[] { "1", "true", "[]", "{}", "\"\"", "\"has space\"", $"\"{new string('e', 101)}\"" }),
                     ("contactIdentifier", new[] { "\"victim@example.com\"", "[]", "1", "true", "{}", "{\"email\":null}", "{\"contactId\":null}" }),
                     ("payload", new[] { "\"text\"", "[]", "1", "false" }),
                 })
        {
            foreach (var value in values)
            {
                Track($"{field} = {Short(value)}", With(field, value).Replace($",\"_was\":", ",\"_old\":", StringComparison.Ordinal).Replace(Original(field), string.Empty, StringComparison.Ordinal));
            }
        }

        foreach (var email in new[] { "plainaddress", "a@b", "a@@b.com", "a b@c.com", ".a@b.com", "a..b@c.com", "a@-b.com", "a@b.c", "@b.com", "a@b.com.", "\"q\"@b.com", "a@[127.0.0.1]", new string('a', 250) + "@b.com", "ünï@b.com", "", "\u212Aate@example.com", "ada@\u212Aelvin.com", "\u0130nci@example.com", "vic\u017Fim@example.com" })
        {
            Track($"email '{Short(email)}'", Valid.Replace("victim@example.com", email.Replace("\"", "\\\"", StringComparison.Ordinal), StringComparison.Ordinal));
        }

        foreach (var id in new[] { "\"abc\"", "\"0\"", "\"000\"", "0", "\"\"", "-5", "1.5", "true", "[]", "{}", "1e400", $"\"{new string('9', 51)}\"", "99999999999999999999999999999999999999999999999999999999999" })
        {
            Track($"contactId {Short(id)}", $$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{"contactId":{{{id}}}}}""");
        }

        // Unknown event names and missing slugs.
        foreach (var name in new[] { "learning_module_deleted", "LEARNING_MODULE_STARTED", "learning module started", "module_completed", "learning_module_started ", "drop table" })
        {
            Track($"event name '{name}'", Valid.Replace("learning_module_completed", name, StringComparison.Ordinal));
        }

        foreach (var (name, body) in new[]
                 {
                     ("module without module_slug", """{"eventName":"learning_module_started","contactIdentifier":{"email":"victim@example.com"},"payload":{"course_slug":"c"}}"""),
                     ("module without course or pathway", """{"eventName":"learning_module_completed","contactIdentifier":{"email":"victim@example.com"},"payload":{"module_slug":"m"}}"""),
                     ("pathway enrolled without slug", """{"eventName":"learning_pathway_enrolled","contactIdentifier":{"email":"victim@example.com"}}"""),
                     ("pathway completed without slug", """{"eventName":"learning_pathway_completed","contactIdentifier":{"email":"victim@example.com"}}"""),
                     ("course enrolled without slug", """{"eventName":"learning_course_enrolled","contactIdentifier":{"email":"victim@example.com"}}"""),
                     ("course completed without slug", """{"eventName":"learning_course_completed","contactIdentifier":{"email":"victim@example.com"}}"""),
                     ("page view without content_type", """{"eventName":"learning_page_viewed","contactIdentifier":{"email":"victim@example.com"},"payload":{"slug":"s"}}"""),
                     ("page view without slug", """{"eventName":"learning_page_viewed","contactIdentifier":{"email":"victim@example.com"},"payload":{"content_type":"page"}}"""),
                     ("conflicting slugs", """{"eventName":"learning_course_enrolled","course_slug":"a","contactIdentifier":{"email":"victim@example.com"},"payload":{"course_slug":"b"}}"""),
                     ("reserved pathway slug", """{"eventName":"learning_pathway_enrolled","pathway_slug":"courses","contactIdentifier":{"email":"victim@example.com"}}"""),
                     ("completion of unknown course", """{"eventName":"learning_course_completed","course_slug":"no-such-course","contactIdentifier":{"email":"victim@example.com"}}"""),
                     ("bad completed_at", """{"eventName":"learning_course_completed","course_slug":"intro-to-cloud","contactIdentifier":{"email":"victim@example.com"},"payload":{"completed_at":"soon"}}"""),
                     ("ts as object", """{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{"email":"victim@example.com"},"payload":{"ts":{"at":1}}}"""),
                     ("completed_at past year 9999", """{"eventName":"learning_course_completed","course_slug":"intro-to-cloud","contactIdentifier":{"email":"victim@example.com"},"payload":{"completed_at":"999999999999999"}}"""),
                     ("completed_at year 0", """{"eventName":"learning_course_completed","course_slug":"intro-to-cloud","contactIdentifier":{"email":"victim@example.com"},"payload":{"completed_at":"0000-01-01T00:00:00Z"}}"""),
                     ("completed_at year 10000", """{"eventName":"learning_course_completed","course_slug":"intro-to-cloud","contactIdentifier":{"email":"victim@example.com"},"payload":{"completed_at":"10000-01-01T00:00:00Z"}}"""),
                     ("ts past year 9999 on a refused event", """{"eventName":"learning_course_completed","course_slug":"intro-to-cloud","contactIdentifier":{"email":"victim@example.com"},"payload":{"ts":"999999999999999"}}"""),
                     ("ts year 1 on a refused event", """{"eventName":"learning_course_completed","course_slug":"intro-to-cloud","contactIdentifier":{"email":"victim@example.com"},"payload":{"ts":"0001-01-01T00:00:00Z","completed_at":"0001-01-01T00:00:00Z"}}"""),
                 })
        {
            Track(name, body);
        }

        // Slugs and over-long strings.
        foreach (var slug in new[] { "", new string('s', 201), "a;b", "a b", "a\\tb", "a\\u0000b", "a\\nb", " lead", "\\u00a0nbsp",
                     "=HYPERLINK(\\\"http://evil.example\\\",\\\"x\\\")", "=1+1", "+1", "-1", "@SUM(A1)", "a&b", "a(b)", "a\\\"b", "a=b", "Upper-Case",
                     "café", "\\u212Aelvin", "a.b", "a/b", "_lead", "a,b", "a|b" })
        {
            Track($"slug '{Short(slug)}'", Valid.Replace("what-is-cloud", slug, StringComparison.Ordinal));
        }

        Track("enrollment_source 1001", $$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","enrollment_source":"{{{new string('x', 1001)}}}","contactIdentifier":{"email":"victim@example.com"}}""");
        Track("content_type 1001", $$$"""{"eventName":"learning_page_viewed","contactIdentifier":{"email":"victim@example.com"},"payload":{"slug":"s","content_type":"{{{new string('x', 1001)}}}"}}""");
        Track("payload extra 1001", $$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{"email":"victim@example.com"},"payload":{"note":"{{{new string('x', 1001)}}}"}}""");
        Track("51 payload properties", $$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{"email":"victim@example.com"},"payload":{{{{string.Join(',', Enumerable.Range(0, 51).Select(i => $"\"k{i}\":{i}"))}}}}}""");

        // Deep nesting.
        foreach (var depth in new[] { 5, 8, 17, 64, 200, 2000 })
        {
            var nested = string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
            Track($"payload nested {depth}", $$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{"email":"victim@example.com"},"payload":{"deep":{{{nested}}}}}""");
        }

        Track("array nesting 500", new string('[', 500) + new string(']', 500));

        // Oversize bodies.
        Track("10241 bytes", Valid[..^1] + ",\"pad\":\"" + new string('x', 10_241 - Valid.Length - 9) + "\"}");
        Track("100 KB", Valid[..^1] + ",\"pad\":\"" + new string('x', 100_000) + "\"}");
        Track("1 MB", Valid[..^1] + ",\"pad\":\"" + new string('x', 1_000_000) + "\"}");
        Track("4000 three-byte chars", Valid[..^1] + ",\"pad\":\"" + new string('€', 4_000) + "\"}");

        // Invalid UTF-8 and unicode edge cases.
        Raw("invalid UTF-8 in string", [.. "{\"eventName\":\""u8, 0xC3, 0x28, .. "\"}"u8]);
        Raw("invalid UTF-8 in key", [.. "{\""u8, 0xFF, 0xFE, .. "\":1}"u8]);
        Raw("overlong UTF-8", [.. "{\"eventName\":\""u8, 0xC0, 0xAF, .. "\"}"u8]);
        Raw("UTF-16 body", Encoding.Unicode.GetBytes(Valid));
        Raw("lone continuation byte", [.. "{\"a\":\""u8, 0x80, .. "\"}"u8]);
        Raw("truncated 4-byte sequence", [.. "{\"a\":\""u8, 0xF0, 0x9F, 0x98, .. "\"}"u8]);
        foreach (var escape in new[] { "\\ud800", "\\udc00", "\\ud83d", "x\\ud800y", "\\ud800\\ud800" })
        {
            Track($"escaped lone surrogate {escape} in eventName", $$$"""{"eventName":"{{{escape}}}"}""");
            Track($"escaped lone surrogate {escape} in slug", $$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"{{{escape}}}","contactIdentifier":{"email":"victim@example.com"}}""");
        }

        Track("escaped surrogate in key", """{"eventName":"learning_pathway_enrolled","pathway_slug":"p","payload":{"\ud800":1}}""");
        Track("NUL in email", Valid.Replace("victim@example.com", "vic\\u0000tim@example.com", StringComparison.Ordinal));
        Track("RTL override in slug", Valid.Replace("what-is-cloud", "what\\u202Eis", StringComparison.Ordinal));
        Track("zero width space in slug", Valid.Replace("what-is-cloud", "what\\u200Bis", StringComparison.Ordinal));

        // Wrong content types.
        foreach (var type in new[] { "application/xml", "multipart/form-data; boundary=x", "image/png", "application/x-www-form-urlencoded", "application/octet-stream" })
        {
            Track($"content-type {type}", Valid, type);
        }

        // Wrong methods and routes.
        foreach (var method in new[] { "GET", "PUT", "DELETE", "PATCH" })
        {
            list.Add(new BadRequest($"{method} /events/track", method, "events/track", method is "GET" or "DELETE" ? null : Encoding.UTF8.GetBytes(Valid)));
        }

        foreach (var path in new[] { "progress/read", "progress/aggregate", "enrollments/list" })
        {
            list.Add(new BadRequest($"POST /{path}", "POST", path, Encoding.UTF8.GetBytes(Valid)));
            list.Add(new BadRequest($"DELETE /{path}", "DELETE", path, null));
        }

        foreach (var path in new[] { "", "events", "events/track/extra", "progress", "admin", "..%2F..%2Fetc%2Fpasswd", "events%2Ftrack" })
        {
            list.Add(new BadRequest($"unknown route /{path}", "GET", path, null));
        }

        // Bad queries.
        foreach (var query in new[]
                 {
                     "progress/read?email=not-an-email", "progress/read?email=a%40b", "progress/read?contactId=abc", "progress/read?contactId=-1",
                     $"progress/read?email={new string('a', 300)}%40b.com", "progress/aggregate?type=module&slug=x&email=a%40b.com",
                     "progress/aggregate?type=course&slug=%3DHYPERLINK(%22x%22)&email=a%40b.com", "progress/aggregate?type=course&slug=Git-Essentials&email=a%40b.com",
                     "progress/read?email=%E2%84%AAate%40example.com", "enrollments/list?email=%E2%84%AAate%40example.com",
                     "progress/aggregate?slug=x&email=a%40b.com", "progress/aggregate?type=course&email=a%40b.com",
                     "progress/aggregate?type=course&slug=a%3Bb&email=a%40b.com", $"progress/aggregate?type=course&slug={new string('s', 201)}&email=a%40b.com",
                     "enrollments/list?email=%40%40", "enrollments/list?contactId=1.5",
                     "progress/read?contactId=000", "progress/read?contactId=0", "progress/read?contactId=", "enrollments/list?contactId=000",
                     "progress/aggregate?type=course&slug=x&contactId=00", "enrollments/list",
                 })
        {
            list.Add(new BadRequest($"query {Short(query)}", "GET", query, null));
        }

        // Bodies shared by two generators (prefixes common to several events) are sent once.
        return list.DistinctBy(r => (r.Method, r.Path, Convert.ToBase64String(r.Body ?? []), r.ContentType)).ToList();
    }

    /// <summary>Valid bodies of every event kind, whose truncations make the bulk of the corpus.</summary>
    private static IEnumerable<(string Label, string Body)> ValidBodies() =>
    [
        ("module completed", Valid),
        ("pathway enrolled", """{"eventName":"learning_pathway_enrolled","eventId":"ok-2","contactIdentifier":{"email":"victim@example.com"},"pathway_slug":"cloud-foundations","enrollment_source":"pathway_page","payload":{"ts":"2026-11-27T10:00:00Z"}}"""),
        ("course enrolled", """{"eventName":"learning_course_enrolled","contactIdentifier":{"contactId":"1001"},"course_slug":"git-essentials","payload":{"ts":"2026-11-27T10:00:00Z"}}"""),
        ("page viewed", """{"eventName":"learning_page_viewed","contactIdentifier":{"email":"victim@example.com"},"payload":{"content_type":"course","slug":"git-essentials","ts":"2026-11-27T10:00:00Z"}}"""),
        ("module started", """{"eventName":"learning_module_started","contactIdentifier":{"email":"victim@example.com"},"payload":{"course_slug":"git-essentials","module_slug":"commits"}}"""),
    ];

    private static string Original(string field) => field switch
    {
        "eventName" => "\"learning_module_completed\",",
        "eventId" => "\"ok-1\",",
        "contactIdentifier" => "{\"email\":\"victim@example.com\"},",
        _ => "{\"pathway_slug\":\"cloud-foundations\",\"course_slug\":\"intro-to-cloud\",\"module_slug\":\"what-is-cloud\",\"ts\":\"2026-11-27T10:00:00Z\"}",
    };

    private static string Short(string text) => text.Length <= 24 ? text : text[..21] + "...";
}
