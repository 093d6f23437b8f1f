namespace Sdn.Common.Packets;

/// <summary>How a parser fared with its input.</summary>
/// <remarks>
/// <see cref="Truncated"/> means the bytes end before the header, or before the length it declares;
/// <see cref="Malformed"/> means the header contradicts itself or its protocol (a wrong version, a length
/// field smaller than the header it belongs to, an extension chain past its bound). Neither ever throws.
/// </remarks>
public enum ParseStatus : byte
{
    Ok,
    Truncated,
    Malformed,
}
