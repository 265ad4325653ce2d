using System.Buffers;
using System.Text;

namespace HhLearn.Progress.State;

/// <summary>
/// Reads and writes <c>hhl_progress_state</c> in its existing shape: snake_case keys, maps
/// sorted by key so that the same state always gives the same text, unknown fields kept.
/// </summary>
public static class ProgressStateJson
{
    private static readonly JsonDocumentOptions ReadOptions = new()
    {
        MaxDepth = 64,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    private static readonly JsonWriterOptions WriteOptions = new()
    {
        Indented = false,
        // Slugs and sources are user text; keep non-ASCII readable but still valid JSON.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Null, empty or whitespace text is an empty state (a contact that never had progress).</summary>
    public static Result<ProgressState, string> Read(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Result<ProgressState, string>.Ok(ProgressState.Empty);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, ReadOptions);
        }
        catch (JsonException ex)
        {
            return Result<ProgressState, string>.Fail($"not valid JSON ({FirstLine(ex.Message)})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Result<ProgressState, string>.Fail($"not a JSON object (found {document.RootElement.ValueKind})");
            }

            try
            {
                return Result<ProgressState, string>.Ok(ReadState(document.RootElement));
            }
            catch (CorruptStateException ex)
            {
                return Result<ProgressState, string>.Fail(ex.Message);
            }
            catch (InvalidOperationException)
            {
                return Result<ProgressState, string>.Fail("contains an escaped unpaired surrogate");
            }
        }
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    public static string Write(ProgressState state)
    {
        // One growing buffer per thread: only the final string is allocated per write.
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        buffer.ResetWrittenCount();
        Write(state, buffer);
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (buffer.Capacity > 1024 * 1024)
        {
            t_buffer = null;
        }

        return text;
    }

    /// <summary>Writes UTF-8 into <paramref name="output"/>; lets hot paths reuse one buffer.</summary>
    public static void Write(ProgressState state, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, WriteOptions);
        writer.WriteStartObject();
        foreach (var (slug, pathway) in state.Pathways)
        {
            writer.WritePropertyName(slug);
            WritePathway(writer, pathway);
        }

        if (state.Courses is not null)
        {
            writer.WritePropertyName(ProgressState.StandaloneCoursesKey);
            WriteCourses(writer, state.Courses);
        }

        state.Extra.WriteTo(writer);
        writer.WriteEndObject();
    }

    private static ProgressState ReadState(JsonElement root)
    {
        var pathways = ImmutableSortedDictionary.CreateBuilder<string, PathwayProgress>(StringComparer.Ordinal);
        ImmutableSortedDictionary<string, CourseProgress>? courses = null;
        List<KeyValuePair<string, JsonElement>>? extras = null;

        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals(ProgressState.StandaloneCoursesKey))
            {
                courses = ReadCourses(property.Value, new PathNode(null, ProgressState.StandaloneCoursesKey));
            }
            else if (property.Value.ValueKind == JsonValueKind.Object)
            {
                pathways[property.Name] = ReadPathway(property.Value, new PathNode(null, property.Name));
            }
            else
            {
                (extras ??= []).Add(KeyValuePair.Create(property.Name, property.Value));
            }
        }

        return new ProgressState
        {
            Pathways = pathways.ToImmutable(),
            Courses = courses,
            Extra = extras is null ? ExtraFields.Empty : ExtraFields.Of(extras),
        };
    }

    private static PathwayProgress ReadPathway(JsonElement element, PathNode path)
    {
        var f = ReadEntity(element, path, hasCourses: true);
        return f.Shared.CopySharedTo(new PathwayProgress { Courses = f.Courses, Modules = f.Modules });
    }

    private static ImmutableSortedDictionary<string, CourseProgress>? ReadCourses(JsonElement element, PathNode path)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        RequireObject(element, path);
        var builder = ImmutableSortedDictionary.CreateBuilder<string, CourseProgress>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            builder[p.Name] = ReadCourse(p.Value, new PathNode(path, p.Name));
        }

        return builder.ToImmutable();
    }

    private static CourseProgress ReadCourse(JsonElement element, PathNode path)
    {
        RequireObject(element, path);
        var f = ReadEntity(element, path, hasCourses: false);
        return f.Shared.CopySharedTo(new CourseProgress { Modules = f.Modules });
    }

    /// <summary>The fields pathways and courses share; <c>courses</c> is known only on a pathway.</summary>
    private static EntityFields ReadEntity(JsonElement element, PathNode path, bool hasCourses)
    {
        var f = new EntityFields();
        var shared = new SharedFields();
        List<KeyValuePair<string, JsonElement>>? extras = null;
        foreach (var p in element.EnumerateObject())
        {
            var at = new FieldPath(path, p.Name);
            switch (p.Name)
            {
                case "enrolled": shared = shared with { Enrolled = ReadBool(p.Value, at) }; break;
                case "enrolled_at": shared = shared with { EnrolledAt = ReadStamp(p.Value, at) }; break;
                case "enrollment_source": shared = shared with { EnrollmentSource = ReadString(p.Value, at) }; break;
                case "started": shared = shared with { Started = ReadBool(p.Value, at) }; break;
                case "started_at": shared = shared with { StartedAt = ReadStamp(p.Value, at) }; break;
                case "completed": shared = shared with { Completed = ReadBool(p.Value, at) }; break;
                case "completed_at": shared = shared with { CompletedAt = ReadStamp(p.Value, at) }; break;
                case "modules": f.Modules = ReadModules(p.Value, at.AsNode()); break;
                case "courses" when hasCourses: f.Courses = ReadCourses(p.Value, at.AsNode()); break;
                default: Keep(f, ref extras, p); break;
            }
        }

        f.Shared = shared with { Extra = extras is null ? ExtraFields.Empty : ExtraFields.Of(extras) };
        return f;
    }

    private static ImmutableSortedDictionary<string, ModuleProgress>? ReadModules(JsonElement element, PathNode path)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        RequireObject(element, path);
        var builder = ImmutableSortedDictionary.CreateBuilder<string, ModuleProgress>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            builder[p.Name] = ReadModule(p.Value, new PathNode(path, p.Name));
        }

        return builder.ToImmutable();
    }

    private static ModuleProgress ReadModule(JsonElement element, PathNode path)
    {
        RequireObject(element, path);
        var result = ModuleProgress.New;
        List<KeyValuePair<string, JsonElement>>? extras = null;
        foreach (var p in element.EnumerateObject())
        {
            var at = new FieldPath(path, p.Name);
            result = p.Name switch
            {
                "started" => result with { Started = ReadBool(p.Value, at) },
                "started_at" => result with { StartedAt = ReadStamp(p.Value, at) },
                "completed" => result with { Completed = ReadBool(p.Value, at) },
                "completed_at" => result with { CompletedAt = ReadStamp(p.Value, at) },
                _ => Keep(result, ref extras, p),
            };
        }

        return extras is null ? result : result with { Extra = ExtraFields.Of(extras) };
    }

    private static T Keep<T>(T value, ref List<KeyValuePair<string, JsonElement>>? extras, JsonProperty property)
    {
        (extras ??= []).Add(KeyValuePair.Create(property.Name, property.Value));
        return value;
    }

    private static void RequireObject(JsonElement element, PathNode path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CorruptStateException($"{path} is {element.ValueKind}, expected an object");
        }
    }

    private static bool? ReadBool(JsonElement element, FieldPath path) => element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => throw new CorruptStateException($"{path} is {element.ValueKind}, expected true or false"),
    };

    private static Stamp? ReadStamp(JsonElement element, FieldPath path) => element.ValueKind switch
    {
        JsonValueKind.String => Stamp.Parse(element.GetString()!),
        JsonValueKind.Null => null,
        _ => throw new CorruptStateException($"{path} is {element.ValueKind}, expected a timestamp string"),
    };

    private static string? ReadString(JsonElement element, FieldPath path) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Null => null,
        _ => throw new CorruptStateException($"{path} is {element.ValueKind}, expected a string"),
    };

    private static void WritePathway(Utf8JsonWriter writer, PathwayProgress p)
    {
        writer.WriteStartObject();
        WriteCommon(writer, p);
        if (p.Courses is not null)
        {
            writer.WritePropertyName("courses");
            WriteCourses(writer, p.Courses);
        }

        if (p.Modules is not null)
        {
            writer.WritePropertyName("modules");
            WriteModules(writer, p.Modules);
        }

        p.Extra.WriteTo(writer);
        writer.WriteEndObject();
    }

    private static void WriteCourses(Utf8JsonWriter writer, ImmutableSortedDictionary<string, CourseProgress> courses)
    {
        writer.WriteStartObject();
        foreach (var (slug, c) in courses)
        {
            writer.WritePropertyName(slug);
            writer.WriteStartObject();
            WriteCommon(writer, c);
            if (c.Modules is not null)
            {
                writer.WritePropertyName("modules");
                WriteModules(writer, c.Modules);
            }

            c.Extra.WriteTo(writer);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteModules(Utf8JsonWriter writer, ImmutableSortedDictionary<string, ModuleProgress> modules)
    {
        writer.WriteStartObject();
        foreach (var (slug, m) in modules)
        {
            writer.WritePropertyName(slug);
            writer.WriteStartObject();
            WriteFlag(writer, "started", m.Started);
            WriteStamp(writer, "started_at", m.StartedAt);
            WriteFlag(writer, "completed", m.Completed);
            WriteStamp(writer, "completed_at", m.CompletedAt);
            m.Extra.WriteTo(writer);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteCommon(Utf8JsonWriter writer, EnrollableProgress p)
    {
        WriteFlag(writer, "enrolled", p.Enrolled);
        WriteStamp(writer, "enrolled_at", p.EnrolledAt);
        if (p.EnrollmentSource is not null)
        {
            writer.WriteString("enrollment_source", p.EnrollmentSource);
        }

        WriteFlag(writer, "started", p.Started);
        WriteStamp(writer, "started_at", p.StartedAt);
        WriteFlag(writer, "completed", p.Completed);
        WriteStamp(writer, "completed_at", p.CompletedAt);
    }

    private static void WriteFlag(Utf8JsonWriter writer, string name, bool? value)
    {
        if (value is { } v)
        {
            writer.WriteBoolean(name, v);
        }
    }

    private static void WriteStamp(Utf8JsonWriter writer, string name, Stamp? value)
    {
        if (value is { } v)
        {
            writer.WriteString(name, v.Text);
        }
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }

    private sealed class CorruptStateException(string message) : Exception(message);

    private sealed class EntityFields
    {
        public EnrollableProgress Shared { get; set; } = new SharedFields();
        public ImmutableSortedDictionary<string, CourseProgress>? Courses { get; set; }
        public ImmutableSortedDictionary<string, ModuleProgress>? Modules { get; set; }
    }

    /// <summary>The shared fields while a pathway or course is read, before it is known which one it is.</summary>
    private sealed record SharedFields : EnrollableProgress;

    /// <summary>Where a container sits in the document; only turned into text when something is corrupt.</summary>
    private sealed class PathNode(PathNode? parent, string name)
    {
        public override string ToString() => parent is null ? name : $"{parent}.{name}";
    }

    /// <summary>A field of a container: a struct, so that reading a healthy document allocates nothing for paths.</summary>
    private readonly struct FieldPath(PathNode parent, string name)
    {
        public PathNode AsNode() => new(parent, name);

        public override string ToString() => $"{parent}.{name}";
    }
}
