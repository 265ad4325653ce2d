using HhLearn.Cli.Doctor;

namespace HhLearn.Cli.Verify;

/// <summary>
/// Waits, up to the run's timeout, for HubSpot to hold what the checklist tracked: the contact (created by the
/// projection), the enrolment, the completed modules, the course completion and the last activity. Each check passes
/// at the moment it first holds, so the table shows how long the projection took.
/// </summary>
internal sealed class HubSpotExpectations(HubSpotClient hubSpot, VerifySettings settings, TimeProvider time)
{
    private static readonly string[] Properties =
        [ContactPropertyNames.EnrolledCourses, ContactPropertyNames.TotalProgress, ContactPropertyNames.CompletedCourses, ContactPropertyNames.LastActivity];

    public async Task CheckAsync(CheckReport report, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        (string Name, Func<IReadOnlyDictionary<string, string?>, bool> Holds, string Expect)[] expectations =
        [
            ("contact created in HubSpot", _ => true, "a contact with the learner's email"),
            ($"enrolment in HubSpot ({ContactPropertyNames.EnrolledCourses})", p => List(p, ContactPropertyNames.EnrolledCourses).Contains(settings.Course), settings.Course),
            ($"modules in HubSpot ({ContactPropertyNames.TotalProgress})", p => int.TryParse(p.GetValueOrDefault(ContactPropertyNames.TotalProgress), out var n) && n >= settings.Modules.Count, $"at least {settings.Modules.Count}"),
            ($"course completed in HubSpot ({ContactPropertyNames.CompletedCourses})", p => List(p, ContactPropertyNames.CompletedCourses).Contains(settings.Course), settings.Course),
            ($"last activity in HubSpot ({ContactPropertyNames.LastActivity})", p => !string.IsNullOrEmpty(p.GetValueOrDefault(ContactPropertyNames.LastActivity)), "a date"),
        ];
        var held = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, string?>? last = null;
        string? error = null;
        while (true)
        {
            try
            {
                if (await hubSpot.FindContactByEmailAsync(settings.Email, Properties, ct) is { } contact)
                {
                    last = contact.Properties;
                    foreach (var (name, holds, _) in expectations.Where(e => !held.ContainsKey(e.Name) && e.Holds(contact.Properties)))
                    {
                        held[name] = time.GetElapsedTime(started);
                    }
                }
            }
            catch (HubSpotApiException ex)
            {
                error = $"HubSpot answered {ex.StatusCode} {ex.Category}";
            }

            if (held.Count == expectations.Length || time.GetElapsedTime(started) >= settings.Timeout)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), time, ct);
        }

        foreach (var (name, _, expect) in expectations)
        {
            if (held.TryGetValue(name, out var after))
            {
                report.Pass(name, $"after {after.TotalSeconds:0.0} s", after);
            }
            else if (last is null)
            {
                report.Fail(name, error ?? $"HubSpot never showed the contact in {settings.Timeout.TotalSeconds:0} s",
                    "is the projection running? see the ProjectionLag alarm, projection_failed and hubspot_misconfigured lines, and the DLQ", settings.Timeout);
            }
            else
            {
                report.Fail(name, $"expected {expect}, HubSpot holds '{last.GetValueOrDefault(name[(name.IndexOf('(', StringComparison.Ordinal) + 1)..^1])}'",
                    "the projection wrote the contact but not this: see projection_failed lines for the learner", settings.Timeout);
            }
        }
    }

    private static string[] List(IReadOnlyDictionary<string, string?> properties, string name) =>
        (properties.GetValueOrDefault(name) ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
