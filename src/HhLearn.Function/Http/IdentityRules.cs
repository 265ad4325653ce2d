using Res = HhLearn.Function.Events.APIGatewayHttpApiV2ProxyResponse;

namespace HhLearn.Function.Http;

/// <summary>Who a request is about, or why it is refused.</summary>
internal sealed record Identification(LearnerIdentity Who, Res? Refusal)
{
    public static readonly Identification Nobody = new(new LearnerIdentity(null, null), null);
}

/// <summary>
/// Who a request names, by the same rules on every route: identifiers from the body (track) or the query (reads)
/// are checked by <see cref="Identifiers"/>; when API Gateway's JWT authorizer verified a token, its claims are the
/// identity and a different identifier in the request is refused with 403. An email claim counts only when the
/// token says it is verified (<c>email_verified</c>), unless <c>JWT_REQUIRE_VERIFIED_EMAIL=false</c>; a contact-id
/// claim is read from the configured claim (<c>JWT_CONTACT_ID_CLAIM</c>).
/// </summary>
internal sealed class IdentityRules(FunctionConfig config)
{
    /// <summary>The query's <c>email</c> and <c>contactId</c>; a malformed one adds a <c>field: problem</c> line.</summary>
    public static (string? Email, string? ContactId) FromQuery(IReadOnlyDictionary<string, string> query, List<string> problems)
    {
        string? email = null, contactId = null;
        if (query.GetValueOrDefault("email") is { } rawEmail && Identifiers.EmailProblem(rawEmail, out email) is { } emailProblem)
        {
            problems.Add($"email: {emailProblem}");
        }

        if (query.GetValueOrDefault("contactId") is { } rawId && Identifiers.ContactIdProblem(rawId.Trim(), out contactId) is { } idProblem)
        {
            problems.Add($"contactId: {idProblem}");
        }

        return (email, contactId);
    }

    /// <summary>Combines the request's identifiers with the token's claims (which win when present).</summary>
    public Identification Identify(Req request, string? email, string? contactId)
    {
        var claims = request.RequestContext?.Authorizer?.Jwt?.Claims;
        if (claims is null)
        {
            return new Identification(new LearnerIdentity(email, contactId), null);
        }

        var claimEmail = Identifiers.EmailOrNull(claims.GetValueOrDefault("email"));
        var claimId = Identifiers.ContactIdOrNull(claims.GetValueOrDefault(config.ContactIdClaim));
        if (claimEmail is null && claimId is null)
        {
            return Refuse(401, "The token carries no email claim", HttpResults.IdentityMissing, "authorization: token has no email claim");
        }

        // Anyone can sign up with someone else's address at many identity providers: an email claim names a learner
        // only once the provider verified it. API Gateway passes every claim as a string.
        if (claimEmail is not null && config.RequireVerifiedEmail &&
            !string.Equals(claims.GetValueOrDefault("email_verified"), "true", StringComparison.OrdinalIgnoreCase))
        {
            if (claimId is null || email is not null)
            {
                return Refuse(403, "The token's email address is not verified", HttpResults.IdentityUnverified,
                    "authorization: the email claim is not verified (email_verified is not true)");
            }

            claimEmail = null;
        }

        if ((email is not null && email != claimEmail) || (contactId is not null && contactId != claimId))
        {
            return Refuse(403, "The request names a different learner than the token", HttpResults.IdentityMismatch,
                "contactIdentifier: does not match the authenticated learner");
        }

        return new Identification(new LearnerIdentity(claimEmail, claimId)
        {
            Names = LearnerNames.From(claims.GetValueOrDefault("given_name"), claims.GetValueOrDefault("family_name")),
        }, null);
    }

    private static Identification Refuse(int status, string message, string code, string detail) =>
        new(new LearnerIdentity(null, null), HttpResults.Error(status, message, code, detail));
}
