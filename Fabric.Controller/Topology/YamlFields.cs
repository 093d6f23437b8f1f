using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using YamlDotNet.RepresentationModel;

namespace Sdn.Fabric.Controller.Topology;

/// <summary>
/// Reads the fields of one YAML mapping, checking them against the keys it may hold, and records
/// every problem with its position instead of throwing, so one run reports all of them.
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
                _errors.Add(_mapping, $"{_what} needs '{key}'");
            }

            return null;
        }

        if (node is not YamlScalarNode { Value: { Length: > 0 } value })
        {
            _errors.Add(node, $"'{key}' of {_what} must be a non-empty string");
            return null;
        }

        return value;
    }

    public string? Name(string key = "name")
    {
        var name = String(key, required: true);
        if (name is not null && !IsValidName(name))
        {
            _errors.Add(Find(key)!, $"'{name}' is not a valid name for {_what}: use 1 to 32 letters, digits, '-' or '_'");
            return null;
        }

        return name;
    }

    public int Integer(string key, int defaultValue, int min, int max)
    {
        var text = String(key);
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            _errors.Add(Find(key)!, $"'{key}' of {_what} must be an integer from {min} to {max}, not '{text}'");
            return defaultValue;
        }

        return value;
    }

    public double Fraction(string key)
    {
        var text = String(key);
        if (text is null)
        {
            return 0;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value is < 0 or > 1)
        {
            _errors.Add(Find(key)!, $"'{key}' of {_what} must be a fraction from 0 to 1, not '{text}'");
            return 0;
        }

        return value;
    }

    public IPAddress? Ipv4(string key, bool required = false)
    {
        var text = String(key, required);
        if (text is null)
        {
            return null;
        }

        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || text.Count(c => c == '.') != 3)
        {
            _errors.Add(Find(key)!, $"'{key}' of {_what} must be an IPv4 address such as 10.0.0.1, not '{text}'");
            return null;
        }

        return address;
    }

    public IPNetwork? Ipv4Prefix(string key, bool required = false)
    {
        var text = String(key, required);
        if (text is null)
        {
            return null;
        }

        if (!IPNetwork.TryParse(text, out var prefix) || prefix.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            _errors.Add(Find(key)!, $"'{key}' of {_what} must be an IPv4 prefix with no host bits set, such as 10.1.0.0/24, not '{text}'");
            return null;
        }

        return prefix;
    }

    public PhysicalAddress? Mac(string key)
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        if (!PhysicalAddress.TryParse(text.Replace(':', '-'), out var mac) || mac.GetAddressBytes().Length != 6 || text.Length != 17)
        {
            _errors.Add(Find(key)!, $"'{key}' of {_what} must be a MAC address such as 02:00:00:00:00:01, not '{text}'");
            return null;
        }

        if ((mac.GetAddressBytes()[0] & 1) != 0)
        {
            _errors.Add(Find(key)!, $"'{key}' of {_what} is a multicast MAC address; a port needs a unicast one");
            return null;
        }

        return mac;
    }

    public TEnum Enum<TEnum>(string key, TEnum defaultValue)
        where TEnum : struct, Enum
    {
        var text = String(key);
        if (text is null)
        {
            return defaultValue;
        }

        if (!System.Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) || int.TryParse(text, CultureInfo.InvariantCulture, out _))
        {
            var allowed = string.Join(", ", System.Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()));
            _errors.Add(Find(key)!, $"'{key}' of {_what} must be one of: {allowed}; not '{text}'");
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
            _errors.Add(node, $"'{key}' of {_what} must be a list");
            return [];
        }

        return sequence.Children;
    }

    /// <summary>A mapping of scalar parameters, such as an app's settings.</summary>
    public IReadOnlyDictionary<string, string> Scalars(string key)
    {
        var node = Find(key);
        if (node is null)
        {
            return new Dictionary<string, string>();
        }

        if (node is not YamlMappingNode mapping)
        {
            _errors.Add(node, $"'{key}' of {_what} must be a mapping of names to values");
            return new Dictionary<string, string>();
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in mapping.Children)
        {
            if (k is YamlScalarNode { Value: { } name } && v is YamlScalarNode { Value: { } value })
            {
                result[name] = value;
            }
            else
            {
                _errors.Add(v, $"each entry of '{key}' of {_what} must be a name with a single value");
            }
        }

        return result;
    }

    private static bool IsValidName(string name) =>
        name.Length is >= 1 and <= 32 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
