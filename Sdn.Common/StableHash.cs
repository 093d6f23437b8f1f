namespace Sdn.Common;

/// <summary>
/// FNV-1a over a string's characters: the same value in every process and on every platform, unlike
/// <see cref="string.GetHashCode()"/>, so seeds, labels and MACs derived from names survive restarts.
/// </summary>
public static class StableHash
{
    public static uint Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
