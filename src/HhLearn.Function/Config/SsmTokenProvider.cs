using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace HhLearn.Function.Config;

/// <summary>
/// The HubSpot token from an SSM SecureString parameter, read with decryption once per cold start and read again
/// after a 401 (the token was rotated). Reads are single-flight: callers that arrive while a read is under way, or
/// whose refused token was already replaced, share that read, so ten concurrent 401s cost one SSM call. A read runs
/// on the SSM client's own timeout, not on any one caller's, so a caller that gives up does not fail the others. A
/// failed or cancelled read is a <see cref="TokenUnavailableException"/>, which the HubSpot client reports as "HubSpot
/// unavailable" (retry), never a crash. The value is never logged.
/// </summary>
public sealed class SsmTokenProvider(IAmazonSimpleSystemsManagement ssm, string parameterName) : ICrmTokenSource
{
    /// <summary>How long one SSM read may take before the token counts as unavailable.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private Task<string>? _read;

    /// <summary>The SSM client the function uses: an explicit timeout and few retries, so a slow SSM cannot eat an invocation.</summary>
    public static AmazonSimpleSystemsManagementClient CreateClient() =>
        new(new AmazonSimpleSystemsManagementConfig { Timeout = ReadTimeout, MaxErrorRetry = 2 });

    public async ValueTask<string> GetTokenAsync(string? rejected, CancellationToken cancellationToken)
    {
        Task<string> read;
        lock (_lock)
        {
            var stale = _read is null || _read.IsFaulted || _read.IsCanceled ||
                        (rejected is not null && _read.IsCompletedSuccessfully && _read.Result == rejected);
            if (stale)
            {
                _read = ReadAsync();
            }

            read = _read!;
        }

        try
        {
            return await read.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException ex)
        {
            // The caller's time ran out (a Lambda invocation near its deadline): retryable, like HubSpot being down.
            throw new TokenUnavailableException($"the HubSpot token could not be read from SSM parameter {parameterName} in time", ex);
        }
    }

    private async Task<string> ReadAsync()
    {
        GetParameterResponse response;
        try
        {
            using var timeout = new CancellationTokenSource(ReadTimeout);
            response = await ssm.GetParameterAsync(new GetParameterRequest { Name = parameterName, WithDecryption = true }, timeout.Token);
        }
        catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException or OperationCanceledException)
        {
            // Treated like HubSpot being unreachable: the event falls back (direct) or is retried (queue).
            throw new TokenUnavailableException($"the HubSpot token could not be read from SSM parameter {parameterName}: {ex.GetType().Name}", ex);
        }

        return response.Parameter?.Value is { Length: > 0 } value
            ? value
            : throw new TokenUnavailableException($"SSM parameter {parameterName} has no value", null);
    }
}

/// <summary>
/// Says in the log when the token cannot be read (<c>token_unavailable</c>, with the cause: a missing parameter, a
/// denied read or KMS key, SSM down), so that a token problem is not only ever "HubSpot unavailable"; the
/// TokenUnavailable alarm counts these lines. The value is never logged.
/// </summary>
public sealed class LoggedTokenProvider(ICrmTokenSource inner, ISyncLog log) : ICrmTokenSource
{
    public async ValueTask<string> GetTokenAsync(string? rejected, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.GetTokenAsync(rejected, cancellationToken);
        }
        catch (TokenUnavailableException ex)
        {
            var cause = ex.InnerException is { } inner2 ? $"{inner2.GetType().Name}: {inner2.Message}" : ex.Message;
            log.Write(LogLevel.Error, LogEvents.TokenUnavailable, ex.Message, new LogContext { Error = cause });
            throw;
        }
    }
}

/// <summary>The token could not be read (SSM failed, timed out, or holds nothing): the call that needed it does not happen.</summary>
public sealed class TokenUnavailableException(string message, Exception? inner) : Exception(message, inner);

/// <summary>
/// The deployment's hash key from SSM (a SecureString, or the stack's generated Secrets Manager secret through SSM's
/// <c>/aws/reference/secretsmanager/</c> path), read once at start. Without it suppression records cannot be checked, so
/// a key that cannot be read fails the start (every invocation reports it; the LambdaErrors alarm fires), never
/// silently falls back to unkeyed hashes.
/// </summary>
public static class HashKeyParameter
{
    public static async Task<HashKey> ReadAsync(IAmazonSimpleSystemsManagement ssm, string parameterName, CancellationToken ct) =>
        HashKey.TryParse(await SecretParameter.ReadAsync(ssm, parameterName, ct))
            ?? throw new InvalidOperationException($"the hash key in {parameterName} is shorter than {HashKey.MinimumLength} characters");
}

/// <summary>A secret read once at start from SSM (with decryption, within <see cref="SsmTokenProvider.ReadTimeout"/>): the hash key, the webhook client secret.</summary>
public static class SecretParameter
{
    public static async Task<string> ReadAsync(IAmazonSimpleSystemsManagement ssm, string parameterName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ssm);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(SsmTokenProvider.ReadTimeout);
        var response = await ssm.GetParameterAsync(new GetParameterRequest { Name = parameterName, WithDecryption = true }, timeout.Token);
        return response.Parameter?.Value is { Length: > 0 } value ? value : throw new InvalidOperationException($"SSM parameter {parameterName} has no value");
    }
}
