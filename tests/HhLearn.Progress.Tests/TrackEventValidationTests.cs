using System.Text;

namespace HhLearn.Progress.Tests;

/// <summary>docs/architecture.md section 3, "Events": what a track body must look like, and the code for each way it can fail.</summary>
public class TrackEventValidationTests
{
    private const string ValidModule =
        """{"eventName":"learning_module_completed","contactIdentifier":{"email":"a@b.com"},"payload":{"pathway_slug":"p","course_slug":"c","module_slug":"m"}}""";

    private static ValidationError Fails(string body)
    {
        var result = TrackEventParser.Parse(body);
        Assert.False(result.IsOk);
        return result.Error;
    }

    private static void FailsWith(string body, string code, string detailStartsWith)
    {
        var error = Fails(body);
        Assert.Equal(code, error.Code);
        Assert.Contains(error.Details, d => d.StartsWith(detailStartsWith, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ValidModuleEvent_ResolvesSlugsFromPayload()
    {
        var e = Support.Event(ValidModule);
        Assert.Equal(EventKind.ModuleCompleted, e.Kind);
        Assert.Equal(("p", "c", "m"), (e.PathwaySlug, e.CourseSlug, e.ModuleSlug));
        Assert.Equal("a@b.com", e.Email);
    }

    [Fact]
    public void Parse_SlugsAtTopLevel_AreUsed()
    {
        var e = Support.Event("""{"eventName":"learning_course_enrolled","pathway_slug":"p","course_slug":"c","enrollment_source":"catalog"}""");
        Assert.Equal(("p", "c", "catalog"), (e.PathwaySlug, e.CourseSlug, e.EnrollmentSource));
    }

    [Fact]
    public void Parse_SameSlugAtTopLevelAndInPayload_IsAccepted() =>
        Assert.Equal("c", Support.Event("""{"eventName":"learning_course_enrolled","course_slug":"c","payload":{"course_slug":"c"}}""").CourseSlug);

    [Fact]
    public void Parse_DifferentSlugAtTopLevelAndInPayload_IsRejected() =>
        FailsWith("""{"eventName":"learning_course_enrolled","course_slug":"c","payload":{"course_slug":"d"}}""",
            ErrorCodes.SchemaValidationFailed, "course_slug: differs from payload.course_slug");

    [Fact]
    public void Parse_EmailIsNormalised_TrimmedAndLowerCased() =>
        Assert.Equal("ada@example.com", Support.Event("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{"email":"  Ada@Example.COM "}}""").Email);

    [Theory]
    [InlineData("plainaddress")]
    [InlineData("a@b")]
    [InlineData("a@@b.com")]
    [InlineData("a b@c.com")]
    [InlineData(".a@b.com")]
    [InlineData("a..b@c.com")]
    [InlineData("a@-b.com")]
    [InlineData("a@b.c")]
    [InlineData("a@b..com")]
    [InlineData("@b.com")]
    [InlineData("a@b.com.")]
    [InlineData("\"quoted\"@b.com")]
    [InlineData("a@[127.0.0.1]")]
    [InlineData("ünï@b.com")]
    [InlineData("\u212Aate@example.com")]
    [InlineData("ada@\u212Aelvin.com")]
    [InlineData("\u0130stanbul@example.com")]
    public void Parse_InvalidEmail_IsSchemaError(string email) =>
        FailsWith($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{"email":{{{System.Text.Json.JsonSerializer.Serialize(email)}}}}}""",
            ErrorCodes.SchemaValidationFailed, "contactIdentifier.email: is not a valid email address");

    [Theory]
    [InlineData("first.last+tag@sub.example.co.uk")]
    [InlineData("o'brien@example.ie")]
    [InlineData("x@xn--bcher-kva.example")]
    public void Parse_ValidEmail_IsAccepted(string email) =>
        Assert.NotNull(Support.Event($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{"email":"{{{email.Replace("'", "'", StringComparison.Ordinal)}}}"}}""").Email);

    [Fact]
    public void Parse_EmailOf255Chars_IsAccepted_256IsRejected()
    {
        string Email(int length) => new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 4))[..(length - 65 - 4)] + ".com";
        Assert.Equal(255, Email(255).Length);
        Assert.NotNull(Support.Event($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{"email":"{{{Email(255)}}}"}}""").Email);
        FailsWith($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{"email":"{{{Email(256)}}}"}}""",
            ErrorCodes.SchemaValidationFailed, "contactIdentifier.email: must be at most 255 characters");
    }

    [Fact]
    public void Parse_ContactIdAsStringOrInteger_IsAccepted()
    {
        Assert.Equal("123", Support.Event("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{"contactId":"123"}}""").ContactId);
        Assert.Equal("456", Support.Event("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{"contactId":456}}""").ContactId);
    }

    [Theory]
    [InlineData("\"abc\"", "contactIdentifier.contactId: must be a positive numeric")]
    [InlineData("\"0\"", "contactIdentifier.contactId: must be a positive numeric")]
    [InlineData("\"000\"", "contactIdentifier.contactId: must be a positive numeric")]
    [InlineData("0", "contactIdentifier.contactId: must be a positive numeric")]
    [InlineData("\"\"", "contactIdentifier.contactId: must be a positive numeric")]
    [InlineData("-5", "contactIdentifier.contactId: must be a positive numeric")]
    [InlineData("1.5", "contactIdentifier.contactId: must be a positive numeric")]
    [InlineData("true", "contactIdentifier.contactId: must be a string or an integer")]
    [InlineData("\"111111111111111111111111111111111111111111111111111\"", "contactIdentifier.contactId: must be at most 50 characters")]
    [InlineData("1e400", "contactIdentifier.contactId: must be a positive numeric")]
    public void Parse_BadContactId_IsSchemaError(string value, string detail) =>
        FailsWith($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{"contactId":{{{value}}}}}""",
            ErrorCodes.SchemaValidationFailed, detail);

    [Fact]
    public void Parse_ContactIdOf50Digits_IsAccepted() =>
        Assert.Equal(new string('9', 50), Support.Event($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{"contactId":"{{{new string('9', 50)}}}"}}""").ContactId);

    [Fact]
    public void Parse_NoIdentity_IsValidButAnonymous() =>
        Assert.False(Support.Event("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p"}""").HasIdentity);

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"email":null}""")]
    [InlineData("""{"email":null,"contactId":null}""")]
    public void Parse_ContactIdentifierNamingNoOne_IsSchemaError_NotAnonymous(string identifier) =>
        FailsWith($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{{{identifier}}}}""",
            ErrorCodes.SchemaValidationFailed, "contactIdentifier: must name the learner (email or contactId)");

    [Fact]
    public void Parse_ContactIdentifierWithABadEmail_ReportsTheEmailOnly()
    {
        var error = Fails("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{"email":"bad"}}""");
        Assert.Equal(["contactIdentifier.email: is not a valid email address"], error.Details);
    }

    [Fact]
    public void Parse_ContactIdentifierNotObject_IsSchemaError() =>
        FailsWith("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":"a@b.com"}""",
            ErrorCodes.SchemaValidationFailed, "contactIdentifier: must be an object");

    [Fact]
    public void Parse_BodyOverTenKilobytes_IsPayloadTooLarge()
    {
        var padding = new string('x', Limits.MaxBodyBytes);
        var error = Fails($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","note":"{{{padding}}}"}""");
        Assert.Equal(ErrorCodes.PayloadTooLarge, error.Code);
    }

    [Fact]
    public void Parse_BodyExactlyTenKilobytes_IsNotTooLarge()
    {
        var prefix = """{"eventName":"learning_pathway_enrolled","pathway_slug":"p","note":""";
        var body = prefix + "\"" + new string('x', Limits.MaxBodyBytes - prefix.Length - 3) + "\"}";
        Assert.Equal(Limits.MaxBodyBytes, Encoding.UTF8.GetByteCount(body));
        Assert.True(TrackEventParser.Parse(body).IsOk);
    }

    [Fact]
    public void Parse_LimitCountsUtf8Bytes_NotCharacters()
    {
        // 4,000 three-byte characters: 4,000 chars but 12,000 bytes.
        var body = $$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","note":"{{{new string('€', 4000)}}}"}""";
        Assert.True(body.Length < Limits.MaxBodyBytes);
        Assert.Equal(ErrorCodes.PayloadTooLarge, Fails(body).Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("{\"eventName\":")]
    [InlineData("{'eventName':'x'}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{\"a\":1} trailing")]
    [InlineData("nul")]
    [InlineData("{\"eventName\":\"learning_pathway_enrolled\",\"eventName\":\"learning_page_viewed\"}")]
    [InlineData("{/* comment */}")]
    public void Parse_MalformedJson_IsInvalidJson(string body) => Assert.Equal(ErrorCodes.InvalidJson, Fails(body).Code);

    [Theory]
    [InlineData("""{"eventName":""", "body: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed. (line 1, byte 14)")]
    [InlineData("{\"a\":1}\n  x", "body: 'x' is invalid after a single JSON value. Expected end of data. (line 2, byte 3)")]
    public void Parse_MalformedJson_SaysWhatIsWrong_AndWhereOnce(string body, string detail) =>
        Assert.Equal([detail], Fails(body).Details);

    [Fact]
    public void Parse_InvalidUtf8_IsInvalidJson() =>
        Assert.Equal(ErrorCodes.InvalidJson, TrackEventParser.Parse(new byte[] { (byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}' }).Error!.Code);

    [Fact]
    public void Parse_UnpairedSurrogateInText_IsInvalidJson() =>
        Assert.Equal(ErrorCodes.InvalidJson, Fails("{\"eventName\":\"\ud800\"}").Code);

    [Fact]
    public void Parse_DeeplyNestedJson_IsInvalidJson() =>
        Assert.Equal(ErrorCodes.InvalidJson, Fails(new string('[', 100) + new string(']', 100)).Code);

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("true")]
    public void Parse_BodyNotAnObject_IsSchemaError(string body) =>
        FailsWith(body, ErrorCodes.SchemaValidationFailed, "body: must be a JSON object");

    [Fact]
    public void Parse_MissingEventName_IsSchemaError() =>
        FailsWith("""{"pathway_slug":"p"}""", ErrorCodes.SchemaValidationFailed, "eventName: is required");

    [Fact]
    public void Parse_UnknownEventName_ListsTheAllowedNames() =>
        FailsWith("""{"eventName":"learning_module_deleted"}""", ErrorCodes.SchemaValidationFailed, "eventName: must be one of learning_module_started");

    [Fact]
    public void Parse_EventNameWrongType_IsSchemaError() =>
        FailsWith("""{"eventName":7}""", ErrorCodes.SchemaValidationFailed, "eventName: must be a string (got number)");

    [Fact]
    public void Parse_ModuleEventWithoutModuleSlug_IsSchemaError() =>
        FailsWith("""{"eventName":"learning_module_started","payload":{"course_slug":"c"}}""", ErrorCodes.SchemaValidationFailed, "payload.module_slug: is required");

    [Fact]
    public void Parse_ModuleEventWithoutCourseOrPathway_IsSchemaError() =>
        FailsWith("""{"eventName":"learning_module_started","payload":{"module_slug":"m"}}""", ErrorCodes.SchemaValidationFailed, "payload.course_slug: learning_module_started needs a course_slug or a pathway_slug");

    [Theory]
    [InlineData("learning_pathway_enrolled", "pathway_slug: is required")]
    [InlineData("learning_pathway_completed", "pathway_slug: is required")]
    [InlineData("learning_course_enrolled", "course_slug: is required")]
    [InlineData("learning_course_completed", "course_slug: is required")]
    public void Parse_EnrolledOrCompletedWithoutItsSlug_IsSchemaError(string name, string detail) =>
        FailsWith($$$"""{"eventName":"{{{name}}}"}""", ErrorCodes.SchemaValidationFailed, detail);

    [Fact]
    public void Parse_PageViewWithoutContentTypeAndSlug_ReportsBoth()
    {
        var error = Fails("""{"eventName":"learning_page_viewed","payload":{}}""");
        Assert.Contains("payload.content_type: is required for learning_page_viewed", error.Details);
        Assert.Contains("payload.slug: is required for learning_page_viewed", error.Details);
    }

    [Fact]
    public void Parse_EveryProblemIsReported_OneDetailEach()
    {
        var error = Fails("""{"eventName":"learning_module_completed","eventId":5,"contactIdentifier":{"email":"bad"},"payload":{"pathway_slug":"","module_slug":7}}""");
        Assert.Equal(ErrorCodes.SchemaValidationFailed, error.Code);
        Assert.Contains("eventId: must be a string (got number)", error.Details);
        Assert.Contains("contactIdentifier.email: is not a valid email address", error.Details);
        Assert.Contains("payload.pathway_slug: must not be empty", error.Details);
        Assert.Contains("payload.module_slug: must be a string (got number)", error.Details);
    }

    [Fact]
    public void Parse_SlugOf200Chars_IsAccepted_201IsRejected()
    {
        Assert.Equal(200, Support.Event($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"{{{new string('s', 200)}}}"}""").PathwaySlug!.Length);
        FailsWith($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"{{{new string('s', 201)}}}"}""",
            ErrorCodes.SchemaValidationFailed, "pathway_slug: must be at most 200 characters");
    }

    [Theory]
    [InlineData("a;b")]
    [InlineData("a b")]
    [InlineData("a\\tb")]
    [InlineData("a\\u0000b")]
    [InlineData("=HYPERLINK(\\\"http://x\\\")")]
    [InlineData("a=b")]
    [InlineData("a+b")]
    [InlineData("a@b")]
    [InlineData("a(b)")]
    [InlineData("a&b")]
    [InlineData("a\\\"b")]
    [InlineData("Intro-To-Cloud")]
    [InlineData("a.b")]
    [InlineData("a/b")]
    [InlineData("café-über")]
    [InlineData("\\u5b66\\u4e60")]
    [InlineData("\\u212Aelvin")]
    public void Parse_SlugOutsideTheSafeAlphabet_IsRejected(string slug) =>
        FailsWith($$$"""{"eventName":"learning_course_enrolled","course_slug":"{{{slug}}}"}""", ErrorCodes.SchemaValidationFailed, "course_slug: ");

    [Theory]
    [InlineData("-1+1")]
    [InlineData("_x")]
    public void Parse_SlugStartingWithAnythingButALetterOrDigit_IsRejected(string slug) =>
        FailsWith($$$"""{"eventName":"learning_course_enrolled","course_slug":"{{{slug}}}"}""", ErrorCodes.SchemaValidationFailed, "course_slug: must start with a lower-case letter or a digit");

    [Theory]
    [InlineData("intro-to-cloud")]
    [InlineData("git_essentials_2")]
    [InlineData("101")]
    public void Parse_SlugOfTheSafeAlphabet_IsAccepted(string slug) =>
        Assert.Equal(slug, Support.Event($$$"""{"eventName":"learning_course_enrolled","course_slug":"{{{slug}}}"}""").CourseSlug);

    [Fact]
    public void Parse_PathwaySlugCourses_IsReserved() =>
        FailsWith("""{"eventName":"learning_pathway_enrolled","pathway_slug":"courses"}""", ErrorCodes.SchemaValidationFailed, "pathway_slug: 'courses' is reserved");

    [Fact]
    public void Parse_EventIdOf100Chars_IsAccepted_101IsRejected()
    {
        Assert.Equal(100, Support.Event($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","eventId":"{{{new string('e', 100)}}}"}""").EventId!.Length);
        FailsWith($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","eventId":"{{{new string('e', 101)}}}"}""",
            ErrorCodes.SchemaValidationFailed, "eventId: must be at most 100 characters");
    }

    [Fact]
    public void Parse_EventIdWithSpaces_IsRejected() =>
        FailsWith("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","eventId":"a b"}""", ErrorCodes.SchemaValidationFailed, "eventId: must be printable ASCII");

    [Fact]
    public void Parse_FreeStringOf1000Chars_IsAccepted_1001IsRejected()
    {
        Assert.True(TrackEventParser.Parse($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","enrollment_source":"{{{new string('s', 1000)}}}"}""").IsOk);
        FailsWith($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","enrollment_source":"{{{new string('s', 1001)}}}"}""",
            ErrorCodes.SchemaValidationFailed, "enrollment_source: must be at most 1000 characters");
        FailsWith($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","payload":{"note":"{{{new string('s', 1001)}}}"}}""",
            ErrorCodes.SchemaValidationFailed, "payload.note: must be at most 1000 characters");
        FailsWith($$$"""{"eventName":"learning_page_viewed","payload":{"slug":"s","content_type":"{{{new string('s', 1001)}}}"}}""",
            ErrorCodes.SchemaValidationFailed, "payload.content_type: must be at most 1000 characters");
    }

    [Fact]
    public void Parse_PayloadWith50Properties_IsAccepted_51IsRejected()
    {
        string Body(int count) => $$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","payload":{{{{string.Join(',', Enumerable.Range(0, count).Select(i => $"\"k{i}\":{i}"))}}}}}""";
        Assert.True(TrackEventParser.Parse(Body(50)).IsOk);
        FailsWith(Body(51), ErrorCodes.SchemaValidationFailed, "payload: must have at most 50 properties (got 51)");
    }

    [Fact]
    public void Parse_PayloadNestedTooDeeply_IsSchemaError() =>
        FailsWith("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","payload":{"a":{"b":{"c":{"d":{"e":1}}}}}}""",
            ErrorCodes.SchemaValidationFailed, "payload.a.b.c.d: is nested too deeply");

    [Fact]
    public void Parse_PayloadNotAnObject_IsSchemaError() =>
        FailsWith("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","payload":[1]}""", ErrorCodes.SchemaValidationFailed, "payload: must be an object (got array)");

    [Fact]
    public void Parse_UnparseableTs_IsNotAnError_ServerTimeIsUsed()
    {
        var e = Support.Event("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","payload":{"ts":"yesterday"}}""");
        Assert.Null(e.ClaimedTime);
        Assert.Equal(Support.Now, e.TimeAt(Support.Now));
    }

    [Fact]
    public void Parse_TsAsEpochMilliseconds_IsAccepted() =>
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000),
            Support.Event("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","payload":{"ts":1790000000000}}""").ClaimedTime);

    [Fact]
    public void Parse_TsOfWrongType_IsSchemaError() =>
        FailsWith("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","payload":{"ts":{"at":1}}}""", ErrorCodes.SchemaValidationFailed, "payload.ts: must be an ISO-8601 string");

    [Fact]
    public void Parse_UnparseableCompletedAt_IsSchemaError() =>
        FailsWith("""{"eventName":"learning_course_completed","course_slug":"c","payload":{"completed_at":"soon"}}""", ErrorCodes.SchemaValidationFailed, "payload.completed_at: must be an ISO-8601 date-time");

    [Fact]
    public void Parse_UnknownTopLevelFields_AreIgnored() =>
        Assert.True(TrackEventParser.Parse("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","sessionId":"xyz","extra":{"a":[1,2]}}""").IsOk);

    [Fact]
    public void Parse_NullOptionalFields_AreTreatedAsAbsent() =>
        Assert.True(TrackEventParser.Parse("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","eventId":null,"contactIdentifier":null,"payload":null,"course_slug":null}""").IsOk);

    [Fact]
    public void Parse_Utf8Bom_IsTolerated() =>
        Assert.True(TrackEventParser.Parse(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p"}""")).ToArray()).IsOk);

    [Fact]
    public void Parse_ValidationErrors_NeverEchoTheEmail()
    {
        var error = Fails("""{"eventName":"nope","contactIdentifier":{"email":"secret.person@nowhere"}}""");
        Assert.DoesNotContain(error.Details, d => d.Contains("secret.person", StringComparison.Ordinal));
    }
}

public class TrackEventUnicodeEdgeTests
{
    [Theory]
    [InlineData("""{"eventName":"\ud800"}""")]
    [InlineData("""{"eventName":"learning_pathway_enrolled","pathway_slug":"a\udc00b"}""")]
    [InlineData("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","payload":{"note":"\ud83d"}}""")]
    [InlineData("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","payload":{"\ud800":1}}""")]
    [InlineData("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","contactIdentifier":{"email":"a\ud800@b.com"}}""")]
    public void Parse_EscapedLoneSurrogate_IsAClientError_NeverAnException(string body)
    {
        var result = TrackEventParser.Parse(body);
        Assert.False(result.IsOk);
        Assert.Contains(result.Error.Code, new[] { ErrorCodes.InvalidJson, ErrorCodes.SchemaValidationFailed });
    }

    [Theory]
    [InlineData("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","payload":{"note":"café-über \ud83d\ude00 emoji"}}""")]
    [InlineData("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","payload":{"title":"\u5b66\u4e60"}}""")]
    public void Parse_ValidUnicode_IsAccepted(string body) => Assert.True(TrackEventParser.Parse(body).IsOk);
}

public class SlugInvisibleCharacterTests
{
    [Theory]
    [InlineData("what\\u202Eis")]
    [InlineData("what\\u200Bis")]
    [InlineData("\\uFEFFbom")]
    public void Parse_SlugWithInvisibleFormatCharacters_IsRejected(string slug)
    {
        var result = TrackEventParser.Parse($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"{{{slug}}}"}""");
        Assert.False(result.IsOk);
        Assert.StartsWith("pathway_slug: ", result.Error.Details[0], StringComparison.Ordinal);
    }
}
