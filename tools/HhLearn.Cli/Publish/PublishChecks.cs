namespace HhLearn.Cli.Publish;

/// <summary>The checks a published <c>bootstrap</c> must pass before it is deployed.</summary>
public static class PublishChecks
{
    /// <summary>Amazon Linux 2023 (the <c>provided.al2023</c> runtime) ships glibc 2.34.</summary>
    public static readonly Version MaxGlibc = new(2, 34);

    /// <summary>What is wrong with <paramref name="binary"/> for <paramref name="target"/>; empty when it can be deployed.</summary>
    public static IReadOnlyList<string> Verify(string binary, TargetArch target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var (info, error) = ElfInspector.Read(binary);
        if (info is null)
        {
            return [$"{binary} is {error}"];
        }

        var problems = new List<string>();
        if (info.Machine != target.ElfMachine)
        {
            problems.Add($"{binary} is built for {info.Architecture}, not {target.Name}");
        }

        if (info.HighestGlibc is { } glibc && glibc > MaxGlibc)
        {
            problems.Add($"{binary} needs GLIBC_{glibc}, newer than Amazon Linux 2023's GLIBC_{MaxGlibc}: it would not load on Lambda (build on an older glibc)");
        }

        return problems;
    }

    /// <summary>
    /// Runs the binary as Lambda would, against a local Runtime API, natively or under qemu user emulation for a
    /// foreign architecture: an anonymous read and a malformed track must get their documented answers. Null when
    /// it passed; otherwise what went wrong. <paramref name="skipped"/> says why it could not run at all.
    /// </summary>
    public static async Task<(string? Failure, string? Skipped)> SmokeTestAsync(string binary, TargetArch target, TargetArch? host, Func<string, bool> onPath, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(onPath);
        BootstrapCommand command;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SettingNames.EnableCrmProgress] = "false",
            [SettingNames.Stage] = "smoke",
        };
        if (host == target)
        {
            command = new BootstrapCommand(Path.GetFullPath(binary), [], "aot");
        }
        else if (onPath(target.QemuBinary))
        {
            command = new BootstrapCommand(target.QemuBinary, [Path.GetFullPath(binary)], "aot");
            environment["QEMU_LD_PREFIX"] = $"/usr/{target.GnuTriple}";
        }
        else
        {
            return (null, $"{target.QemuBinary} is not installed (apt-get install -y qemu-user), so the {target.Name} binary was not run here");
        }

        var catalog = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(binary))!, "catalog");
        if (Directory.Exists(catalog))
        {
            environment[SettingNames.CatalogDir] = catalog;
        }

        await using var runtime = await LocalRuntimeApi.StartAsync(TimeSpan.FromSeconds(60));
        environment[SettingNames.LambdaRuntimeApi] = runtime.Address;
        var output = new StringBuilder();
        using var process = new Process { StartInfo = command.StartInfo(environment) };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(90));
            var read = await runtime.InvokeAsync(Request("GET", "/progress/read", "email=smoke%40example.com", null), timeout.Token);
            var failure = Expect(read, 200, "mode", "anonymous");
            if (failure is null)
            {
                var track = await runtime.InvokeAsync(Request("POST", "/events/track", string.Empty, """{"eventName":"learning_nothing"}"""), timeout.Token);
                failure = Expect(track, 400, "details.code", "SCHEMA_VALIDATION_FAILED");
            }

            return (failure is null ? null : $"{failure}{(output.Length > 0 ? $"; its output: {output}" : string.Empty)}", null);
        }
        catch (OperationCanceledException)
        {
            return ($"the binary did not answer within 90 s{(output.Length > 0 ? $"; its output: {output}" : string.Empty)}", null);
        }
        finally
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited by itself (and the failure says why).
            }

            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is { Length: > 0 } && output.Length < 2000)
        {
            output.Append(line).Append(' ');
        }
    }

    private static string? Expect(InvocationResult result, int status, string field, string value)
    {
        if (!result.Succeeded)
        {
            return $"the invocation failed: {result.ErrorType} {result.ErrorMessage}";
        }

        var response = JsonNode.Parse(result.Response!);
        var body = response?["body"] is { } text ? JsonNode.Parse(text.GetValue<string>()) : null;
        var actual = field.Split('.').Aggregate(body, (node, name) => node?[name]);
        return (int?)response?["statusCode"] == status && actual?.GetValue<string>() == value
            ? null
            : $"expected {status} with {field} = {value}, got {Encoding.UTF8.GetString(result.Response!)}";
    }

    private static byte[] Request(string method, string path, string query, string? body) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["version"] = "2.0",
        ["routeKey"] = "$default",
        ["rawPath"] = path,
        ["rawQueryString"] = query,
        ["headers"] = new JsonObject { ["content-type"] = "application/json" },
        ["requestContext"] = new JsonObject
        {
            ["http"] = new JsonObject { ["method"] = method, ["path"] = path, ["protocol"] = "HTTP/1.1", ["sourceIp"] = "127.0.0.1", ["userAgent"] = "hhlearn-publish" },
            ["requestId"] = "smoke",
            ["routeKey"] = "$default",
            ["stage"] = "$default",
            ["timeEpoch"] = 0,
        },
        ["body"] = body,
        ["isBase64Encoded"] = false,
    }.ToJsonString());
}
