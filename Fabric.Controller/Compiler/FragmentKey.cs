namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// Names one fragment of an edge's flow entries: what the fragment was compiled from (the edge's fixed entries, a
/// local port, one port's or the gateway's neighbour answers in a network, one port's forwarding entry, one port's
/// route, an ACL rule). Keys order as a full compile emits the fragments, so when two fragments compile to the same
/// flow identity, the one a full compile lists first keeps it.
/// </summary>
public readonly record struct FragmentKey(FragmentKind Kind, string First, string Second = "", string Third = "") : IComparable<FragmentKey>
{
    public static FragmentKey Fixed { get; } = new(FragmentKind.Fixed, string.Empty);

    public static FragmentKey LocalPort(string port) => new(FragmentKind.LocalPort, port);

    public static FragmentKey Neighbour(string network, string port) => new(FragmentKind.Neighbour, network, port);

    public static FragmentKey Gateway(string network) => new(FragmentKind.Gateway, network);

    public static FragmentKey Forward(string network, string port) => new(FragmentKind.Forward, network, port);

    public static FragmentKey Route(string tenant, string network, string port) => new(FragmentKind.Route, tenant, network, port);

    public static FragmentKey Tracking(string tenant) => new(FragmentKind.Tracking, tenant);

    public static FragmentKey Acl(string rule) => new(FragmentKind.Acl, rule);

    public static FragmentKey External(string external) => new(FragmentKind.External, external);

    public static FragmentKey Outside(string tenant) => new(FragmentKind.Outside, tenant);

    public static FragmentKey Inbound(string port) => new(FragmentKind.Inbound, port);

    public static bool operator <(FragmentKey left, FragmentKey right) => left.CompareTo(right) < 0;

    public static bool operator <=(FragmentKey left, FragmentKey right) => left.CompareTo(right) <= 0;

    public static bool operator >(FragmentKey left, FragmentKey right) => left.CompareTo(right) > 0;

    public static bool operator >=(FragmentKey left, FragmentKey right) => left.CompareTo(right) >= 0;

    /// <summary>A network's neighbour answers, gateway and forwarding entries sit together, in network name order.</summary>
    public int CompareTo(FragmentKey other)
    {
        var order = Group(Kind).CompareTo(Group(other.Kind));
        if (order == 0 && Group(Kind) == Group(FragmentKind.Forward))
        {
            order = string.CompareOrdinal(First, other.First);
            order = order != 0 ? order : Kind.CompareTo(other.Kind);
            return order != 0 ? order : string.CompareOrdinal(Second, other.Second);
        }

        order = order != 0 ? order : string.CompareOrdinal(First, other.First);
        order = order != 0 ? order : string.CompareOrdinal(Second, other.Second);
        return order != 0 ? order : string.CompareOrdinal(Third, other.Third);
    }

    private static int Group(FragmentKind kind) => kind is FragmentKind.Neighbour or FragmentKind.Gateway or FragmentKind.Forward ? (int)FragmentKind.Neighbour : (int)kind;
}
