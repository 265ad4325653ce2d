using System.Text.RegularExpressions;

namespace HhLearn.HubSpotEmulator;

public sealed record EmulatedProperty(
    string Name,
    string Label,
    string Type,
    string FieldType,
    string GroupName,
    string Description,
    bool ReadOnly,
    IReadOnlyList<string> Options,
    DateTimeOffset CreatedAt)
{
    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["label"] = Label,
        ["type"] = Type,
        ["fieldType"] = FieldType,
        ["groupName"] = GroupName,
        ["description"] = Description,
        ["options"] = new JsonArray(Options.Select(o => (JsonNode)new JsonObject { ["label"] = o, ["value"] = o, ["hidden"] = false }).ToArray()),
        ["displayOrder"] = -1,
        ["calculated"] = false,
        ["externalOptions"] = false,
        ["hasUniqueValue"] = Name == "email",
        ["hidden"] = false,
        ["formField"] = false,
        ["modificationMetadata"] = new JsonObject { ["archivable"] = !ReadOnly, ["readOnlyDefinition"] = ReadOnly, ["readOnlyValue"] = ReadOnly },
        ["createdAt"] = EmulatorJson.Instant(CreatedAt),
        ["updatedAt"] = EmulatorJson.Instant(CreatedAt),
        ["archived"] = false,
    };
}

/// <summary>A problem with one property value, worded like HubSpot's VALIDATION_ERROR entries.</summary>
public sealed record PropertyProblem(string Code, string Message, string PropertyName);

/// <summary>HubSpot's default contact properties, the ones created through the API, and value validation.</summary>
public static partial class PropertySchema
{
    public const int MaxStringLength = 65_536;

    private static readonly string[] LifecycleStages =
        ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"];

    /// <summary>type -> fieldTypes HubSpot accepts with it (the v3 API rejects other pairs).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> AllowedFieldTypes = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["string"] = ["text", "textarea", "phonenumber", "html", "file"],
        ["number"] = ["number", "calculation_equation"],
        ["date"] = ["date"],
        ["datetime"] = ["date"],
        ["enumeration"] = ["booleancheckbox", "checkbox", "radio", "select", "calculation_equation"],
        ["bool"] = ["booleancheckbox"],
        ["phone_number"] = ["phonenumber"],
    };

    public static IEnumerable<EmulatedProperty> Defaults(DateTimeOffset now)
    {
        EmulatedProperty P(string name, string label, string type, string fieldType, bool readOnly = false, string[]? options = null) =>
            new(name, label, type, fieldType, "contactinformation", label, readOnly, options ?? [], now);

        yield return P("email", "Email", "string", "text");
        yield return P("firstname", "First Name", "string", "text");
        yield return P("lastname", "Last Name", "string", "text");
        yield return P("phone", "Phone Number", "string", "phonenumber");
        yield return P("company", "Company Name", "string", "text");
        yield return P("website", "Website URL", "string", "text");
        yield return P("jobtitle", "Job Title", "string", "text");
        yield return P("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", options: LifecycleStages);
        yield return P("hs_lead_status", "Lead Status", "enumeration", "radio", options: ["NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING"]);
        yield return P("createdate", "Create Date", "datetime", "date", readOnly: true);
        yield return P("lastmodifieddate", "Last Modified Date", "datetime", "date", readOnly: true);
        yield return P("hs_object_id", "Record ID", "number", "number", readOnly: true);
        yield return P("hs_additional_emails", "Additional email addresses", "enumeration", "checkbox", readOnly: true);
        yield return P("hs_merged_object_ids", "Merged Contact IDs", "enumeration", "checkbox", readOnly: true);
    }

    [GeneratedRegex(@"^-?\d+(\.\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    /// <summary>
    /// Checks one value and returns what HubSpot would store (dates as YYYY-MM-DD, datetimes as ISO instants),
    /// or a problem. <c>""</c> clears a value of any type.
    /// </summary>
    public static (string? Stored, PropertyProblem? Problem) Validate(EmulatedProperty? property, string name, string? value)
    {
        if (property is null)
        {
            return (null, new PropertyProblem("PROPERTY_DOESNT_EXIST", $"Property \"{name}\" does not exist", name));
        }

        if (property.ReadOnly)
        {
            return (null, new PropertyProblem("READ_ONLY_VALUE", $"\"{name}\" is a read only property; its value cannot be set.", name));
        }

        if (string.IsNullOrEmpty(value))
        {
            return (null, null);
        }

        switch (property.Type)
        {
            case "number":
                return NumberPattern().IsMatch(value)
                    ? (value, null)
                    : (null, new PropertyProblem("INVALID_INTEGER", $"{value} was not a valid number.", name));
            case "date":
                if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    return (date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), null);
                }

                if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms) && ms % 86_400_000 == 0)
                {
                    return (DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), null);
                }

                return (null, new PropertyProblem("INVALID_DATE", $"{value} is at {value} which is not midnight UTC; date properties need a date or epoch milliseconds at midnight UTC.", name));
            case "datetime":
                if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var epoch))
                {
                    return (EmulatorJson.Instant(DateTimeOffset.FromUnixTimeMilliseconds(epoch)), null);
                }

                return value.Length >= 16 && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
                    ? (EmulatorJson.Instant(instant), null)
                    : (null, new PropertyProblem("INVALID_DATETIME", $"{value} is not a valid datetime.", name));
            case "enumeration":
                var chosen = value.Split(';');
                var unknown = chosen.FirstOrDefault(c => !property.Options.Contains(c, StringComparer.Ordinal));
                return unknown is null
                    ? (value, null)
                    : (null, new PropertyProblem("INVALID_OPTION", $"{unknown} was not one of the allowed options: {string.Join(", ", property.Options)}", name));
            case "bool":
                return value is "true" or "false"
                    ? (value, null)
                    : (null, new PropertyProblem("INVALID_BOOLEAN", $"{value} is not a valid boolean.", name));
            default:
                if (value.Length > MaxStringLength)
                {
                    return (null, new PropertyProblem("INVALID_STRING_LENGTH", $"Value for {name} is {value.Length} characters; the maximum is {MaxStringLength}.", name));
                }

                if (name == "email" && !EmailPattern().IsMatch(value))
                {
                    return (null, new PropertyProblem("INVALID_EMAIL", "Email address is invalid", name));
                }

                return (value, null);
        }
    }
}
