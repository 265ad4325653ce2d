using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HhLearn.HubSpotEmulator;

/// <summary>
/// The small embedded web servers of the local stack (emulator, Runtime API, API Gateway front end, SQS): Kestrel on
/// 127.0.0.1 only, no logging, and no hold on the process's signals.
/// </summary>
public static class LoopbackWebApp
{
    /// <summary>
    /// A loopback server that answers local programs only: every request must name this listener by a loopback
    /// <c>Host</c> (<c>127.0.0.1:port</c>, <c>localhost:port</c>, <c>[::1]:port</c>), which defeats DNS rebinding (a web page
    /// whose own name resolves to 127.0.0.1). Requests under <paramref name="adminPath"/> (admin endpoints that change
    /// the local stack) must also come from no web page but this server's own (an <c>Origin</c> of another site is
    /// refused), and a <c>POST</c> there must be <c>application/json</c>, which no cross-site form or <c>text/plain</c>
    /// fetch can send without a preflight this server never grants.
    /// </summary>
    public static WebApplication Create(int port, long maxRequestBodySize = 30_000_000, Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>? kestrel = null, string? adminPath = null)
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
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (Refusal(context.Request, context.Connection.LocalPort, adminPath) is { } problem)
            {
                context.Response.StatusCode = 403;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(
                    new System.Text.Json.Nodes.JsonObject { ["error"] = problem.Message, ["details"] = new System.Text.Json.Nodes.JsonObject { ["code"] = problem.Code } }.ToJsonString());
                return;
            }

            await next(context);
        });
        return app;
    }

    /// <summary>Why a request is refused (a code and one line), or null. See <see cref="Create"/>.</summary>
    public static (string Code, string Message)? Refusal(HttpRequest request, int port, string? adminPath)
    {
        ArgumentNullException.ThrowIfNull(request);
        var host = request.Host;
        if (!host.HasValue || !IsLoopbackName(host.Host) || (host.Port ?? 80) != port)
        {
            return ("HOST_NOT_ALLOWED", $"this local server answers 127.0.0.1:{port} and localhost:{port} only (Host '{host.Value}')");
        }

        if (adminPath is null || !request.Path.StartsWithSegments(adminPath, StringComparison.Ordinal))
        {
            return null;
        }

        if (request.Headers.Origin.ToString() is { Length: > 0 } origin && !IsOwnOrigin(origin, port))
        {
            return ("ORIGIN_NOT_ALLOWED", $"{adminPath} takes no request from another web page (Origin '{origin}')");
        }

        return HttpMethods.IsPost(request.Method) && !(request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ?? false)
            ? ("UNSUPPORTED_MEDIA_TYPE", $"{adminPath} takes application/json only")
            : null;
    }

    private static bool IsLoopbackName(string name) =>
        name.Equals("127.0.0.1", StringComparison.Ordinal) || name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.Equals("[::1]", StringComparison.Ordinal);

    private static bool IsOwnOrigin(string origin, int port) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.Port == port &&
        IsLoopbackName(uri.IsLoopback && uri.HostNameType == UriHostNameType.IPv6 ? "[::1]" : uri.Host);

    /// <summary>The address a started app listens on (the free port it got for port 0), with a trailing slash.</summary>
    public static Uri Address(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
    }
}
