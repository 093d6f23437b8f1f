using System.Collections;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Sdn.Fabric.Controller.Topology;

/// <summary>
/// The fields in which two objects of one kind differ, each by its path as the .proto names it ("cost",
/// "vm.params.count", "impairment.loss"), the way <see cref="Model.ModelException.Field"/> and
/// <see cref="DeclaredObject.Fields"/> name them, with both values written as a user reads them.
/// </summary>
internal static class FieldDifferences
{
    public static IReadOnlyList<FieldDifference> Between(IMessage from, IMessage to)
    {
        var differences = new List<FieldDifference>();
        Compare(from, to, from.Descriptor, string.Empty, differences);
        return differences;
    }

    /// <summary>The value at <paramref name="path"/>, such as "a.interface"; null when a message on the way is absent.</summary>
    public static object? Get(IMessage message, string path)
    {
        var (owner, field) = Locate(message, path);
        return owner is null ? null : field.Accessor.GetValue(owner);
    }

    /// <summary>Sets the value at <paramref name="path"/>, or clears it when <paramref name="value"/> is null; nothing when a message on the way is absent.</summary>
    public static void Set(IMessage message, string path, object? value)
    {
        var (owner, field) = Locate(message, path);
        if (owner is null)
        {
            return;
        }

        if (value is null)
        {
            field.Accessor.Clear(owner);
        }
        else
        {
            field.Accessor.SetValue(owner, value);
        }
    }

    /// <summary>A value as the plan prints it: "none" for an absent message, "" for an empty string, messages as {field: value}.</summary>
    public static string Format(object? value) => value switch
    {
        null => "none",
        string { Length: 0 } => "\"\"",
        string text => text,
        bool flag => flag ? "true" : "false",
        Enum choice => choice.ToString().ToLowerInvariant(),
        IMessage message => "{" + string.Join(", ", message.Descriptor.Fields.InFieldNumberOrder()
            .Select(f => (f.Name, Value: f.Accessor.GetValue(message)))
            .Where(f => !IsDefault(f.Value))
            .Select(f => $"{f.Name}: {Format(f.Value)}")) + "}",
        IDictionary map => "{" + string.Join(", ", map.Keys.Cast<object>().Select(k => (Key: Format(k), Value: Format(map[k]))).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}: {e.Value}")) + "}",
        IEnumerable items => "[" + string.Join(", ", items.Cast<object>().Select(Format)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static void Compare(IMessage? from, IMessage? to, MessageDescriptor descriptor, string prefix, List<FieldDifference> differences)
    {
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            var path = prefix + field.Name;
            var a = from is null ? null : field.Accessor.GetValue(from);
            var b = to is null ? null : field.Accessor.GetValue(to);
            if (field.IsMap)
            {
                CompareMaps((IDictionary?)a, (IDictionary?)b, path, differences);
            }
            else if (field.FieldType == FieldType.Message && !field.IsRepeated && a is not null && b is not null)
            {
                Compare((IMessage)a, (IMessage)b, field.MessageType, path + ".", differences);
            }
            else if (!Equals(a, b))
            {
                differences.Add(new FieldDifference(path, Format(a), Format(b)));
            }
        }
    }

    /// <summary>Entry by entry, so that one changed parameter reads as "vm.params.count 5 → 10".</summary>
    private static void CompareMaps(IDictionary? from, IDictionary? to, string path, List<FieldDifference> differences)
    {
        var keys = (from?.Keys.Cast<object>() ?? []).Concat(to?.Keys.Cast<object>() ?? []).Distinct().OrderBy(Format, StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var a = from is not null && from.Contains(key) ? from[key] : null;
            var b = to is not null && to.Contains(key) ? to[key] : null;
            if (!Equals(a, b))
            {
                differences.Add(new FieldDifference($"{path}.{Format(key)}", Format(a), Format(b)));
            }
        }
    }

    private static (IMessage? Owner, FieldDescriptor Field) Locate(IMessage message, string path)
    {
        var names = path.Split('.');
        var descriptor = message.Descriptor;
        IMessage? owner = message;
        foreach (var name in names[..^1])
        {
            var field = Field(descriptor, name);
            owner = owner is null ? null : (IMessage?)field.Accessor.GetValue(owner);
            descriptor = field.MessageType;
        }

        return (owner, Field(descriptor, names[^1]));
    }

    private static FieldDescriptor Field(MessageDescriptor descriptor, string name) =>
        descriptor.FindFieldByName(name) ?? throw new ArgumentException($"{descriptor.Name} has no field '{name}'", nameof(name));

    private static bool IsDefault(object? value) => value switch
    {
        null => true,
        string text => text.Length == 0,
        bool flag => !flag,
        Enum choice => Convert.ToInt32(choice, CultureInfo.InvariantCulture) == 0,
        ICollection items => items.Count == 0,
        IMessage => false,
        _ => Convert.ToDouble(value, CultureInfo.InvariantCulture) == 0,
    };
}
