using System.Text;
using HhLearn.CrmSync.Webhooks;

namespace HhLearn.CrmSync.Tests;

/// <summary>HubSpot's webhook deliveries: the v3 signature, and the events HhLearn acts on.</summary>
public class WebhookSignatureTests
{
    private const string Secret = "client-secret-0123";
    private const string Uri = "https://api.example.com/learn/hubspot/webhooks";
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""[{"eventId":1,"subscriptionType":"contact.deletion","objectId":42,"occurredAt":1}]""");

    private static string Ts(TimeSpan ago) => (Now - ago).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void ADeliverySignedWithTheSecret_IsValid()
    {
        var ts = Ts(TimeSpan.FromSeconds(3));
        Assert.Equal(SignatureVerdict.Valid, WebhookSignature.Verify("POST", Uri, Body, ts, WebhookSignature.Sign("POST", Uri, Body, ts, Secret), Secret, Now));
    }

    [Fact]
    public void TheSignature_IsHmacSha256OfMethodUriBodyAndTimestamp_InBase64()
    {
        var ts = "1765022400000";
        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes(Secret));
        var expected = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes("POST" + Uri + Encoding.UTF8.GetString(Body) + ts)));
        Assert.Equal(expected, WebhookSignature.Sign("POST", Uri, Body, ts, Secret));
    }

    [Fact]
    public void TheUri_IsSignedWithItsListedEncodedCharactersDecoded() =>
        Assert.Equal("https://a.example/hook?x=1:2", WebhookSignature.SignedUri("https://a.example/hook%3Fx=1%3a2"));

    [Theory]
    [InlineData("forged")]
    [InlineData("body")]
    [InlineData("secret")]
    public void AForgedOrAlteredDelivery_IsInvalid(string how)
    {
        var ts = Ts(TimeSpan.Zero);
        var signature = WebhookSignature.Sign("POST", Uri, Body, ts, how == "secret" ? "another-secret" : Secret);
        var body = how == "body" ? Encoding.UTF8.GetBytes("""[{"eventId":1,"subscriptionType":"contact.privacyDeletion","objectId":42,"occurredAt":1}]""") : Body;
        var given = how == "forged" ? Convert.ToBase64String(new byte[32]) : signature;
        Assert.Equal(SignatureVerdict.Invalid, WebhookSignature.Verify("POST", Uri, body, ts, given, Secret, Now));
    }

    [Fact]
    public void ADeliveryOlderThanFiveMinutes_IsStale_AndOneWithoutHeaders_IsMissing()
    {
        var old = Ts(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal(SignatureVerdict.Stale, WebhookSignature.Verify("POST", Uri, Body, old, WebhookSignature.Sign("POST", Uri, Body, old, Secret), Secret, Now));
        Assert.Equal(SignatureVerdict.Missing, WebhookSignature.Verify("POST", Uri, Body, null, "x", Secret, Now));
        Assert.Equal(SignatureVerdict.Missing, WebhookSignature.Verify("POST", Uri, Body, "soon", "x", Secret, Now));
        Assert.Equal(SignatureVerdict.Stale, WebhookSignature.Verify("POST", Uri, Body, "999999999999999999", "x", Secret, Now));
    }
}

public class WebhookEventTests
{
    [Fact]
    public void TheFourContactEvents_AndEmailChanges_AreRead_OthersAreCountedAndIgnored()
    {
        var (batch, problem) = WebhookBatch.Parse(Encoding.UTF8.GetBytes("""
            [{"eventId":1,"subscriptionType":"contact.privacyDeletion","objectId":42,"occurredAt":1700000000000},
             {"eventId":2,"subscriptionType":"contact.merge","objectId":43,"primaryObjectId":43,"mergedObjectIds":[41,"40"],"newObjectId":44},
             {"eventId":3,"subscriptionType":"contact.propertyChange","objectId":45,"propertyName":"email","propertyValue":"New@Example.com"},
             {"eventId":4,"subscriptionType":"contact.propertyChange","objectId":45,"propertyName":"firstname","propertyValue":"X"},
             {"eventId":5,"subscriptionType":"deal.creation","objectId":9},
             {"eventId":6,"subscriptionType":"contact.restore","objectId":"46"},
             {"eventId":7,"subscriptionType":"contact.deletion","objectId":-1}]
            """));
        Assert.Null(problem);
        Assert.Equal(3, batch!.Ignored);
        Assert.Equal([WebhookKind.PrivacyDeletion, WebhookKind.Merge, WebhookKind.EmailChange, WebhookKind.Restore], batch.Events.Select(e => e.Kind));
        var merge = batch.Events[1];
        Assert.Equal(("43", "44"), (merge.PrimaryObjectId, merge.NewObjectId));
        Assert.Equal(["41", "40"], merge.MergedObjectIds);
        Assert.Equal("new@example.com", batch.Events[2].Email);
        Assert.Equal("46", batch.Events[3].ObjectId);
    }

    [Theory]
    [InlineData("not json", "the body is not JSON")]
    [InlineData("""{"eventId":1}""", "the body must be a JSON array of events")]
    public void ABodyNotOfHubSpotsShape_IsAProblem(string body, string problem) =>
        Assert.Equal(problem, WebhookBatch.Parse(Encoding.UTF8.GetBytes(body)).Problem);

    [Fact]
    public void MoreThanAHundredEvents_AreAProblem() =>
        Assert.StartsWith("at most 100 events", WebhookBatch.Parse(Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Repeat("{}", 101)) + "]")).Problem, StringComparison.Ordinal);
}
