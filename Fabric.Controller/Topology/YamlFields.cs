using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Sdn.Fabric.Controller.Topology;

/// <summary>
/// Reads the fields of one YAML mapping, checking them against the keys it may hold and the types of their values,
/// and records every problem with its position instead of throwing, so one run reports all of them. What the values
/// mean is the model's to check.
/// </summary>
internal sealed class YamlFields
{
    private readonly YamlMappingNode _mapping;
    private readonly string _what;
    private readonly TopologyErrors _errors;

    private YamlFields(YamlMappingNode mapping, string what, TopologyErrors errors)
    {
        _mapping = mapping;
        _what = what;
        _errors = errors;
    }

    public YamlNode Node => _mapping;

    /// <summary>
    /// Whether a value was missing or unreadable: the object cannot be declared as written. An unknown key alone does
    /// not flaw it; the key is reported, and the rest of the object still counts.
    /// </summary>
    public bool Flawed { get; private set; }

    /// <summary>Reads <paramref name="node"/> as a mapping of <paramref name="what"/>; null (with an error) when it is not one.</summary>
    public static YamlFields? Of(YamlNode node, string what, TopologyErrors errors, params string[] allowedKeys)
    {
        if (node is not YamlMappingNode mapping)
        {
            errors.Add(node, $"{what} must be a mapping of {string.Join(", ", allowedKeys)}");
            return null;
        }

        foreach (var key in mapping.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!allowedKeys.Contains(name))
            {
                errors.Add(key, $"unknown key '{name}' in {what}; expected one of: {string.Join(", ", allowedKeys)}");
            }
        }

        return new YamlFields(mapping, what, errors);
    }

    public YamlNode? Find(string key) =>
        _mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public string? String(string key, bool required = false)
    {
        var node = Find(key);
        if (node is null)
        {
            if (required)
            {
                Report(_mapping, $"{_what} needs '{key}'");
            }

            return null;
        }

        if (node is not YamlScalarNode { Value: { Length: > 0 } value })
        {
            Report(node, $"'{key}' of {_what} must be a non-empty string");
            return null;
        }

        return value;
    }

    /// <summary>A whole number that is not negative; <paramref name="defaultValue"/> when the key is left out.</summary>
    public uint Unsigned(string key, uint defaultValue) =>
        Parsed(key, defaultValue, "a whole number, 0 or more", text => (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value), value));

    public int Integer(string key, int defaultValue) =>
        Parsed(key, defaultValue, "a whole number", text => (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value), value));

    /// <summary>true or false; <paramref name="defaultValue"/> when the key is left out.</summary>
    public bool Boolean(string key, bool defaultValue = false) =>
        Parsed(key, defaultValue, "true or false", text => (bool.TryParse(text, out var value), value));

    /// <summary>A decimal number such as 0.2; 0 when the key is left out.</summary>
    public double Fraction(string key) =>
        Parsed(key, 0d, "a number such as 0.2", text => (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value), value));

    /// <summary>One of the words of <paramref name="choices"/>, as the value it stands for.</summary>
    public T Choice<T>(string key, IReadOnlyDictionary<string, T> choices, T defaultValue)
    {
        var text = String(key);
        if (text is null)
        {
            return defaultValue;
        }

        if (!choices.TryGetValue(text, out var value))
        {
            Report(Find(key)!, $"'{key}' of {_what} must be one of: {string.Join(", ", choices.Keys)}; not '{text}'");
            return defaultValue;
        }

        return value;
    }

    /// <summary>The items of a sequence field; empty (with an error if present but not a sequence) otherwise.</summary>
    public IEnumerable<YamlNode> Sequence(string key)
    {
        var node = Find(key);
        if (node is null)
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            Report(node, $"'{key}' of {_what} must be a list");
            return [];
        }

        return sequence.Children;
    }

    /// <summary>A mapping of scalar parameters, such as an app's settings, each with the node of its value.</summary>
    public IReadOnlyDictionary<string, (string Value, YamlNode At)> Scalars(string key)
    {
        var result = new Dictionary<string, (string, YamlNode)>(StringComparer.Ordinal);
        var node = Find(key);
        if (node is null)
        {
            return result;
        }

        if (node is not YamlMappingNode mapping)
        {
            Report(node, $"'{key}' of {_what} must be a mapping of names to values");
            return result;
        }

        foreach (var (k, v) in mapping.Children)
        {
            if (k is YamlScalarNode { Value: { } name } && v is YamlScalarNode { Value: { } value })
            {
                result[name] = (value, v);
            }
            else
            {
                Report(v, $"each entry of '{key}' of {_what} must be a name with a single value");
            }
        }

        return result;
    }

    /// <summary>Records a problem with a value of this object, which flaws it.</summary>
    public void Report(YamlNode at, string message)
    {
        Flawed = true;
        _errors.Add(at, message);
    }

    private T Parsed<T>(string key, T defaultValue, string expected, Func<string, (bool Ok, T Value)> parse)
    {
        var text = String(key);
        if (text is null)
        {
            return defaultValue;
        }

        var (ok, value) = parse(text);
        if (!ok)
        {
            Report(Find(key)!, $"'{key}' of {_what} must be {expected}, not '{text}'");
            return defaultValue;
        }

        return value;
    }
}
