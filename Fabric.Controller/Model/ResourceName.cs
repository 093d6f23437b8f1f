using System.Text.RegularExpressions;

namespace Sdn.Fabric.Controller.Model;

/// <summary>
/// The rule every object name follows: 1–63 letters, digits, '.', '_' or '-', starting with a letter
/// or digit. No '/', which separates a node from its interface in capture port names.
/// </summary>
public static partial class ResourceName
{
    public static void Validate(string kind, string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw ModelException.Invalid($"a {kind} needs a name", "name");
        }

        if (!Pattern().IsMatch(name))
        {
            throw ModelException.Invalid($"{kind} name '{name}' is invalid: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit", "name");
        }
    }

    /// <summary>Checks that a reference field is filled and names an existing object.</summary>
    public static void Require(string kind, string field, string name, Func<string, bool> exists)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw ModelException.Invalid($"{field} is required", field);
        }

        ArgumentNullException.ThrowIfNull(exists);
        if (!exists(name))
        {
            throw ModelException.NotFound(kind, name, field);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    private static partial Regex Pattern();
}
