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
public sealed class SsmTokenProvider(IAmazonSimpleSystemsManagement ssm, string parameterName) : IHubSpotTokenProvider
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

/// <summary>The token could not be read (SSM failed, timed out, or holds nothing): the call that needed it does not happen.</summary>
public sealed class TokenUnavailableException(string message, Exception? inner) : Exception(message, inner);
