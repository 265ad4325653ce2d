using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using HhLearn.HubSpot;

namespace HhLearn.Function.Config;

/// <summary>
/// The HubSpot token from an SSM SecureString parameter, read with decryption once per cold start and read again
/// once after a 401 (the token was rotated). The value is never logged.
/// </summary>
public sealed class SsmTokenProvider(IAmazonSimpleSystemsManagement ssm, string parameterName) : IHubSpotTokenProvider, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;

    public async ValueTask<string> GetTokenAsync(bool refresh, CancellationToken cancellationToken)
    {
        if (!refresh && _token is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!refresh && _token is { } raced)
            {
                return raced;
            }

            GetParameterResponse response;
            try
            {
                response = await ssm.GetParameterAsync(new GetParameterRequest { Name = parameterName, WithDecryption = true }, cancellationToken);
            }
            catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException)
            {
                // Treated like HubSpot being unreachable: the event falls back (direct) or is retried (queue).
                throw new HubSpotUnavailableException($"the HubSpot token could not be read from SSM parameter {parameterName}: {ex.GetType().Name}", ex);
            }

            _token = response.Parameter?.Value is { Length: > 0 } value
                ? value
                : throw new HubSpotApiException($"SSM parameter {parameterName} has no value");
            return _token;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
