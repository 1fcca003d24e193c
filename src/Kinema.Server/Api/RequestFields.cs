using System.Globalization;
using System.Text.Json;

namespace Kinema.Server.Api;

/// <summary>
/// A request body read the same way whether it came as JSON or multipart/form-data: the SDKs send
/// create, edit and extend as multipart (nested objects as <c>name[key]</c>, numbers as text) and remix
/// as JSON, and curl users send either. Accessors check types and name the offending parameter.
/// </summary>
public sealed class RequestFields
{
    private readonly Dictionary<string, JsonElement> _json = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _form = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IFormFile> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private RequestFields()
    {
    }

    public static async Task<RequestFields> ReadAsync(HttpRequest request, CancellationToken cancellation)
    {
        var fields = new RequestFields();
        string contentType = request.ContentType ?? "";
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellation);
            foreach (var (key, values) in form)
            {
                if (values.Count > 1) throw ApiException.BadRequest($"'{key}' was sent {values.Count} times; send it once", key);
                fields._form[key] = values.ToString();
            }
            foreach (var file in form.Files)
            {
                if (!fields._files.TryAdd(file.Name, file)) throw ApiException.BadRequest($"'{file.Name}' was uploaded more than once; upload one file", file.Name);
            }
            return fields;
        }
        if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || contentType.Length == 0)
        {
            JsonDocument document;
            try
            {
                document = await JsonDocument.ParseAsync(request.Body, default, cancellation);
            }
            catch (JsonException e)
            {
                throw new ApiException(400, $"the request body is not valid JSON: {e.Message}", null, "invalid_json");
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw new ApiException(400, $"the request body must be a JSON object, got {Describe(document.RootElement.ValueKind)}", null, "invalid_json");
                foreach (var property in document.RootElement.EnumerateObject()) fields._json[property.Name] = property.Value.Clone();
            }
            return fields;
        }
        throw new ApiException(415, $"unsupported content type '{contentType}'; send application/json or multipart/form-data", null, "unsupported_media_type");
    }

    /// <summary>Throws for any field no accessor asked for, so a misspelt option is an error rather than silently ignored.</summary>
    public void RejectUnknown()
    {
        var unknown = _json.Keys.Concat(_form.Keys.Select(TopLevel)).Concat(_files.Keys.Select(TopLevel)).Where(k => !_read.Contains(k)).Distinct().ToList();
        if (unknown.Count > 0)
            throw new ApiException(400, $"unrecognized request argument{(unknown.Count > 1 ? "s" : "")}: {string.Join(", ", unknown)}", unknown[0], "unknown_parameter");
    }

    public bool Has(string name) => _json.ContainsKey(name) || _form.ContainsKey(name) || _files.ContainsKey(name) || _form.Keys.Any(k => TopLevel(k) == name);

    public string? String(string name, int minLength = 0, int maxLength = int.MaxValue)
    {
        _read.Add(name);
        string? value;
        if (_json.TryGetValue(name, out var element))
        {
            if (element.ValueKind == JsonValueKind.Null) return null;
            if (element.ValueKind != JsonValueKind.String) throw WrongType(name, "a string", element.ValueKind);
            value = element.GetString()!;
        }
        else if (_form.TryGetValue(name, out var text)) value = text;
        else if (_files.ContainsKey(name)) throw new ApiException(400, $"'{name}' must be a text field, not a file upload", name, "invalid_type");
        else return null;
        if (value.Length < minLength || value.Length > maxLength)
            throw ApiException.BadRequest(minLength > 0 && value.Length < minLength
                ? $"'{name}' must be at least {minLength} character{(minLength == 1 ? "" : "s")} long"
                : $"'{name}' must be at most {maxLength} characters long, got {value.Length}", name, minLength > 0 && value.Length < minLength ? "string_too_short" : "string_too_long");
        return value;
    }

    public string RequiredString(string name, int minLength = 1, int maxLength = int.MaxValue)
        => String(name, minLength, maxLength) ?? throw new ApiException(400, $"missing required parameter '{name}'", name, "missing_required_parameter");

    /// <summary>A number, given as a JSON number or, as multipart and OpenAI's string enums send it, as text.</summary>
    public double? Number(string name)
    {
        _read.Add(name);
        if (_json.TryGetValue(name, out var element))
        {
            return element.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.Number => element.GetDouble(),
                JsonValueKind.String => ParseNumber(name, element.GetString()!),
                _ => throw WrongType(name, "a number", element.ValueKind),
            };
        }
        if (_form.TryGetValue(name, out var text)) return ParseNumber(name, text);
        if (_files.ContainsKey(name)) throw new ApiException(400, $"'{name}' must be a number, not a file upload", name, "invalid_type");
        return null;
    }

    public long? Integer(string name)
    {
        double? value = Number(name);
        if (value is null) return null;
        if (value != Math.Floor(value.Value) || Math.Abs(value.Value) > 9e15)
            throw new ApiException(400, $"'{name}' must be a whole number, got {value.Value.ToString(CultureInfo.InvariantCulture)}", name, "invalid_type");
        return (long)value.Value;
    }

    public bool? Boolean(string name)
    {
        _read.Add(name);
        if (_json.TryGetValue(name, out var element))
        {
            return element.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw WrongType(name, "true or false", element.ValueKind),
            };
        }
        if (_form.TryGetValue(name, out var text))
        {
            return text.ToLowerInvariant() switch
            {
                "true" or "1" => true,
                "false" or "0" => false,
                _ => throw new ApiException(400, $"'{name}' must be true or false, got '{text}'", name, "invalid_type"),
            };
        }
        return null;
    }

    /// <summary>An uploaded file field (multipart only).</summary>
    public IFormFile? File(string name)
    {
        _read.Add(name);
        return _files.GetValueOrDefault(name);
    }

    /// <summary>
    /// A string property of an object field: JSON <c>{"name": {"key": "..."}}</c> or multipart
    /// <c>name[key]</c>. Returns the keys present so callers can insist on exactly one.
    /// </summary>
    public IReadOnlyDictionary<string, string> ObjectStrings(string name)
    {
        _read.Add(name);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (_json.TryGetValue(name, out var element))
        {
            if (element.ValueKind == JsonValueKind.Null) return result;
            if (element.ValueKind != JsonValueKind.Object) throw WrongType(name, "an object", element.ValueKind);
            foreach (var property in element.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String) throw WrongType($"{name}.{property.Name}", "a string", property.Value.ValueKind);
                result[property.Name] = property.Value.GetString()!;
            }
            return result;
        }
        string prefix = name + "[";
        foreach (var (key, value) in _form)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal) && key.EndsWith(']'))
                result[key[prefix.Length..^1]] = value;
        }
        return result;
    }

    /// <summary>
    /// A JSON array field (JSON bodies), or the same array sent as JSON text in a multipart field; null when absent.
    /// </summary>
    public IReadOnlyList<JsonElement>? Array(string name)
    {
        _read.Add(name);
        JsonElement element;
        if (_json.TryGetValue(name, out var value)) element = value;
        else if (_form.TryGetValue(name, out var text))
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                element = document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new ApiException(400, $"'{name}' must be a JSON array; the text sent is not JSON ({e.Message})", name, "invalid_type");
            }
        }
        else if (_files.ContainsKey(name)) throw new ApiException(400, $"'{name}' must be a JSON array, not a file upload", name, "invalid_type");
        else return null;
        if (element.ValueKind == JsonValueKind.Null) return null;
        if (element.ValueKind != JsonValueKind.Array) throw WrongType(name, "an array", element.ValueKind);
        return element.EnumerateArray().ToList();
    }

    public bool IsObject(string name) => _json.TryGetValue(name, out var e) ? e.ValueKind == JsonValueKind.Object : _form.Keys.Any(k => k.StartsWith(name + "[", StringComparison.Ordinal));

    private static string TopLevel(string key)
    {
        int bracket = key.IndexOf('[');
        return bracket > 0 ? key[..bracket] : key;
    }

    private static double ParseNumber(string name, string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)) return value;
        throw new ApiException(400, $"'{name}' must be a number, got '{text}'", name, "invalid_type");
    }

    private static ApiException WrongType(string name, string expected, JsonValueKind got)
        => new(400, $"'{name}' must be {expected}, got {Describe(got)}", name, "invalid_type");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
