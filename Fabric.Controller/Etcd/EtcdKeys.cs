namespace Sdn.Fabric.Controller.Etcd;

/// <summary>
/// Where the fabric lives in etcd, all under /sdn/v1/: one key per model object, objects/KIND/NAME, holding the
/// object in protobuf's canonical JSON; the version key, which every accepted change rewrites in the same
/// transaction, so that its mod revision is the state's version; the compiler's numbers, one key per scope; and the
/// election of the leading controller.
/// </summary>
public static class EtcdKeys
{
    public const string Root = "/sdn/v1/";

    public const string Objects = Root + "objects/";

    public const string Version = Root + "version";

    public const string Numbering = Root + "numbering/";

    public const string Election = Root + "leader";

    public static string ObjectKey(string kind, string name) => $"{Objects}{kind}/{name}";

    /// <summary>The end of the range that holds every key starting with <paramref name="prefix"/>.</summary>
    public static string RangeEnd(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        return prefix[..^1] + (char)(prefix[^1] + 1);
    }
}
