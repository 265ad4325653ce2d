using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HhLearn.HubSpotEmulator;

/// <summary>
/// The small embedded web servers of the local stack (emulator, Runtime API, API Gateway front end, SQS): Kestrel on
/// 127.0.0.1 only, no logging, and no hold on the process's signals.
/// </summary>
public static class LoopbackWebApp
{
    public static WebApplication Create(int port, long maxRequestBodySize = 30_000_000, Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>? kestrel = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();

        // Embedded: Ctrl-C and SIGTERM belong to the process that hosts it, not to ASP.NET Core.
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = maxRequestBodySize;
            kestrel?.Invoke(k);
        });
        return builder.Build();
    }

    /// <summary>The address a started app listens on (the free port it got for port 0), with a trailing slash.</summary>
    public static Uri Address(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
    }
}
