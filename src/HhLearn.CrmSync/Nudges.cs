using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace HhLearn.CrmSync;

/// <summary>
/// "Learner <see cref="Key"/> changed (to <see cref="Version"/>): bring HubSpot up to date." No email, no progress.
/// <see cref="Urgent"/>: the learner has waited long already (the sweeper found it, a window left it over), so it is
/// written at once, not collected for another projection window. (A learner that changed while being written is not
/// urgent: under steady traffic that is most of them, and writing them at once would undo the window.)
/// </summary>
public sealed record Nudge(string Key, long Version, bool Urgent = false);

/// <summary>
/// The projection queue's messages: <c>{"learner":"L#...","version":3}</c>. The FIFO message group is the learner's key,
/// so one projector at a time writes a learner; the deduplication id is key and version, so a repeated nudge for the
/// same change is dropped by SQS (a sweep adds its round, so that it is not dropped as a repeat of a lost nudge).
/// </summary>
public static class NudgeMessages
{
    public static string Write(Nudge nudge)
    {
        ArgumentNullException.ThrowIfNull(nudge);
        return $$"""{"learner":{{JsonSerializer.Serialize(nudge.Key, CrmSyncJsonContext.Default.String)}},"version":{{nudge.Version.ToString(CultureInfo.InvariantCulture)}}{{(nudge.Urgent ? ",\"urgent\":true" : string.Empty)}}}""";
    }

    public static bool TryRead(string? body, [NotNullWhen(true)] out Nudge? nudge)
    {
        nudge = null;
        try
        {
            using var document = JsonDocument.Parse(body ?? string.Empty);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("learner", out var learner) && learner.ValueKind == JsonValueKind.String &&
                root.TryGetProperty("version", out var version) && version.TryGetInt64(out var v) && learner.GetString() is { Length: > 0 } key)
            {
                nudge = new Nudge(key, v, root.TryGetProperty("urgent", out var urgent) && urgent.ValueKind == JsonValueKind.True);
                return true;
            }
        }
        catch (JsonException)
        {
            // Not JSON: not a nudge.
        }

        return false;
    }

    public static string GroupId(Nudge nudge) => nudge?.Key ?? throw new ArgumentNullException(nameof(nudge));

    public static string DeduplicationId(Nudge nudge, string? round = null)
    {
        ArgumentNullException.ThrowIfNull(nudge);
        var id = $"{nudge.Key}:{nudge.Version.ToString(CultureInfo.InvariantCulture)}";
        return round is null ? id : $"{id}:{round}";
    }
}

/// <summary>Puts nudges on the projection queue (SQS FIFO in the function; the local queue under <c>hhlearn local</c>).</summary>
public interface INudgeSender
{
    /// <summary>Sends the nudges; <paramref name="round"/> marks a sweep (see <see cref="NudgeMessages.DeduplicationId"/>).</summary>
    Task SendAsync(IReadOnlyList<Nudge> nudges, string? round, CancellationToken ct);
}

/// <summary>The queue did not take a nudge. The learner stays in the due index, so the sweeper nudges it again.</summary>
public sealed class NudgeFailedException(string message, Exception inner) : Exception(message, inner);
