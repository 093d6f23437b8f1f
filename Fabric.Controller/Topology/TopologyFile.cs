using System.Net;
using System.Net.NetworkInformation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sdn.Fabric.Controller.Topology;

/// <summary>
/// Loads a topology YAML file into a <see cref="TopologyDefinition"/>, or fails with every
/// problem it found, each with the file, line and column: unknown keys, bad values, references
/// to things that do not exist, duplicate names, IPs and MACs, and IPs outside their subnet.
/// Nothing is started from a file with an error.
/// </summary>
public static class TopologyFile
{
    public const int DefaultControllerPort = 6653;

    internal static readonly string[] TopKeys = ["name", "controller", "core", "edges", "links", "tenants", "vms", "hosts", "acls"];
    internal static readonly string[] ControllerKeys = ["listen"];
    internal static readonly string[] NodeKeys = ["name"];
    internal static readonly string[] LinkKeys = ["name", "endpoints", "kind", "cost", "impairment"];
    internal static readonly string[] ImpairmentKeys = ["loss", "delay-ms", "reorder", "seed"];
    internal static readonly string[] TenantKeys = ["name", "networks"];
    internal static readonly string[] NetworkKeys = ["name", "subnet", "gateway"];
    internal static readonly string[] VmKeys = ["name", "edge", "network", "ip", "mac", "app", "params", "memory-mib", "vcpus"];
    internal static readonly string[] HostKeys = ["name", "edge", "network", "ip", "mac", "routes"];
    internal static readonly string[] RouteKeys = ["to", "via"];
    internal static readonly string[] AclKeys = ["tenant", "priority", "action", "from", "to", "protocol", "ports"];
    internal static readonly string[] Apps = ["echo", "ping", "pktgen", "sink"];

    /// <exception cref="TopologyFileException">The file is missing, is not YAML, or describes an invalid topology.</exception>
    public static TopologyDefinition Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TopologyFileException([new TopologyError(path, 0, 0, $"cannot read the topology file: {e.Message}")]);
        }

        return Parse(text, path);
    }

    /// <param name="file">The name errors are reported against.</param>
    public static TopologyDefinition Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        var errors = new TopologyErrors(file);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            errors.Add((int)e.Start.Line, (int)e.Start.Column, $"not valid YAML: {e.Message}");
            throw errors.ToException();
        }

        if (stream.Documents.Count != 1)
        {
            errors.Add(1, 1, "a topology file holds exactly one YAML document");
            throw errors.ToException();
        }

        var topology = new TopologyReader(errors).Read(stream.Documents[0].RootNode);
        if (errors.Any || topology is null)
        {
            throw errors.ToException();
        }

        return topology;
    }

    /// <summary>Reads the document in order, so each reference is checked against what came before it.</summary>
    private sealed class TopologyReader(TopologyErrors errors)
    {
        private readonly Dictionary<string, string> _nodeKinds = new(StringComparer.Ordinal);
        private readonly Dictionary<string, NetworkDefinition> _networks = new(StringComparer.Ordinal);
        private readonly HashSet<string> _tenants = new(StringComparer.Ordinal);
        private readonly Dictionary<IPAddress, string> _ipOwners = [];
        private readonly Dictionary<PhysicalAddress, string> _macOwners = [];

        public TopologyDefinition? Read(YamlNode root)
        {
            var top = YamlFields.Of(root, "the topology", errors, TopKeys);
            if (top is null)
            {
                return null;
            }

            var name = top.Name();
            var controller = ReadController(top);
            var core = top.Sequence("core").Select(n => ReadNode(n, "core node")).OfType<NodeDefinition>().ToList();
            var edges = top.Sequence("edges").Select(n => ReadNode(n, "edge")).OfType<NodeDefinition>().ToList();
            var links = top.Sequence("links").Select(ReadLink).OfType<LinkDefinition>().ToList();
            var tenants = top.Sequence("tenants").Select(ReadTenant).OfType<TenantDefinition>().ToList();
            var vms = top.Sequence("vms").Select(ReadVm).OfType<VmDefinition>().ToList();
            var hosts = top.Sequence("hosts").Select(ReadHost).OfType<HostDefinition>().ToList();
            var acls = top.Sequence("acls").Select(ReadAcl).OfType<AclDefinition>().ToList();
            if (edges.Count == 0 && !errors.Any)
            {
                errors.Add(root, "a topology needs at least one edge under 'edges'");
            }

            return name is null ? null : new TopologyDefinition(name, controller, core, edges, links, tenants, vms, hosts, acls);
        }

        private ControllerDefinition ReadController(YamlFields top)
        {
            var listen = new IPEndPoint(IPAddress.Loopback, DefaultControllerPort);
            if (top.Find("controller") is not { } node || YamlFields.Of(node, "the controller", errors, ControllerKeys) is not { } fields)
            {
                return new ControllerDefinition(listen);
            }

            if (fields.String("listen") is { } text)
            {
                if (IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0)
                {
                    listen = endpoint;
                }
                else
                {
                    errors.Add(fields.Find("listen")!, $"'listen' of the controller must be an address and port such as 127.0.0.1:6653, not '{text}'");
                }
            }

            return new ControllerDefinition(listen);
        }

        private NodeDefinition? ReadNode(YamlNode node, string kind)
        {
            var fields = YamlFields.Of(node, WithArticle(kind), errors, NodeKeys);
            var name = fields?.Name();
            return name is not null && Claim(name, kind, fields!.Find("name")!) ? new NodeDefinition(name) : null;
        }

        private LinkDefinition? ReadLink(YamlNode node)
        {
            if (YamlFields.Of(node, "a link", errors, LinkKeys) is not { } fields)
            {
                return null;
            }

            var endpoints = fields.Sequence("endpoints").ToList();
            if (endpoints.Count != 2 || endpoints.Any(e => e is not YamlScalarNode))
            {
                errors.Add(fields.Find("endpoints") ?? node, "a link needs 'endpoints': a list of exactly two node names");
                return null;
            }

            var from = ((YamlScalarNode)endpoints[0]).Value ?? "";
            var to = ((YamlScalarNode)endpoints[1]).Value ?? "";
            var endpointsValid = RequireNode(from, endpoints[0], "core node", "edge") & RequireNode(to, endpoints[1], "core node", "edge");
            if (endpointsValid && from == to)
            {
                errors.Add(endpoints[1], $"a link cannot connect '{from}' to itself");
                endpointsValid = false;
            }

            if (endpointsValid && _nodeKinds[from] == "edge" && _nodeKinds[to] == "edge")
            {
                errors.Add(endpoints[1], $"a link joins an edge to a core node or two core nodes; '{from}' and '{to}' are both edges");
                endpointsValid = false;
            }

            var name = fields.Find("name") is null ? $"{from}--{to}" : fields.Name();
            var kind = fields.Enum("kind", LinkKind.Memory);
            var cost = fields.Integer("cost", 1, 1, 65535);
            var impairment = fields.Find("impairment") is { } impairmentNode ? ReadImpairment(impairmentNode) : null;
            if (name is null || !endpointsValid || !Claim(name, "link", fields.Find("name") ?? node))
            {
                return null;
            }

            return new LinkDefinition(name, from, to, kind, cost, impairment);
        }

        private ImpairmentDefinition? ReadImpairment(YamlNode node)
        {
            if (YamlFields.Of(node, "an impairment", errors, ImpairmentKeys) is not { } fields)
            {
                return null;
            }

            return new ImpairmentDefinition(
                fields.Fraction("loss"),
                TimeSpan.FromMilliseconds(fields.Integer("delay-ms", 0, 0, 10_000)),
                fields.Fraction("reorder"),
                fields.Integer("seed", 1, int.MinValue, int.MaxValue));
        }

        private TenantDefinition? ReadTenant(YamlNode node)
        {
            if (YamlFields.Of(node, "a tenant", errors, TenantKeys) is not { } fields || fields.Name() is not { } name)
            {
                return null;
            }

            if (!_tenants.Add(name))
            {
                errors.Add(fields.Find("name")!, $"tenant '{name}' is defined twice");
                return null;
            }

            var networks = fields.Sequence("networks").Select(n => ReadNetwork(n, name)).OfType<NetworkDefinition>().ToList();
            return new TenantDefinition(name, networks);
        }

        private NetworkDefinition? ReadNetwork(YamlNode node, string tenant)
        {
            if (YamlFields.Of(node, $"a network of tenant '{tenant}'", errors, NetworkKeys) is not { } fields)
            {
                return null;
            }

            var name = fields.Name();
            var subnet = fields.Ipv4Prefix("subnet", required: true);
            var gateway = fields.Ipv4("gateway");
            if (name is null || subnet is not { } prefix)
            {
                return null;
            }

            if (prefix.PrefixLength > 30)
            {
                errors.Add(fields.Find("subnet")!, $"subnet {prefix} of network '{tenant}/{name}' is too small: use a /30 or larger");
                return null;
            }

            gateway ??= HostAddress(prefix, 1);
            if (!prefix.Contains(gateway) || gateway.Equals(prefix.BaseAddress) || gateway.Equals(Broadcast(prefix)))
            {
                errors.Add(fields.Find("gateway")!, $"gateway {gateway} of network '{tenant}/{name}' is not a host address of its subnet {prefix}");
                return null;
            }

            var qualified = $"{tenant}/{name}";
            if (_networks.ContainsKey(qualified))
            {
                errors.Add(fields.Find("name")!, $"network '{qualified}' is defined twice");
                return null;
            }

            var overlapping = _networks.Values.FirstOrDefault(n => n.Tenant == tenant && Overlaps(n.Subnet, prefix));
            if (overlapping is not null)
            {
                errors.Add(fields.Find("subnet")!, $"subnet {prefix} of network '{qualified}' overlaps {overlapping.Subnet} of '{overlapping.Name}' in the same tenant");
                return null;
            }

            var network = new NetworkDefinition(qualified, tenant, prefix, gateway);
            _networks.Add(qualified, network);
            _ipOwners[gateway] = $"the gateway of '{qualified}'";
            return network;
        }

        private VmDefinition? ReadVm(YamlNode node)
        {
            if (YamlFields.Of(node, "a vm", errors, VmKeys) is not { } fields || fields.Name() is not { } name)
            {
                return null;
            }

            var attachment = ReadAttachment(fields, name, "vm");
            var app = fields.String("app") ?? "echo";
            if (!Apps.Contains(app))
            {
                errors.Add(fields.Find("app")!, $"'app' of vm '{name}' must be one of: {string.Join(", ", Apps)}; not '{app}'");
            }

            var parameters = fields.Scalars("params");
            var memory = fields.Integer("memory-mib", 4, 1, 4096);
            var vcpus = fields.Integer("vcpus", 1, 1, 64);
            if (attachment is not { } a || !Claim(name, "vm", fields.Find("name")!))
            {
                return null;
            }

            return new VmDefinition(name, a.Edge, a.Network, a.Ip, a.Mac, app, parameters, memory, vcpus);
        }

        private HostDefinition? ReadHost(YamlNode node)
        {
            if (YamlFields.Of(node, "a host", errors, HostKeys) is not { } fields || fields.Name() is not { } name)
            {
                return null;
            }

            if (name.Length > 10)
            {
                errors.Add(fields.Find("name")!, $"host name '{name}' is too long: a host becomes a network namespace and a TAP device, whose names allow at most 10 characters here");
                return null;
            }

            var attachment = ReadAttachment(fields, name, "host");
            var routes = fields.Sequence("routes").Select(r => ReadRoute(r, name)).OfType<RouteDefinition>().ToList();
            if (attachment is not { } a || !Claim(name, "host", fields.Find("name")!))
            {
                return null;
            }

            return new HostDefinition(name, a.Edge, a.Network, a.Ip, a.Mac, routes);
        }

        private RouteDefinition? ReadRoute(YamlNode node, string host)
        {
            if (YamlFields.Of(node, $"a route of host '{host}'", errors, RouteKeys) is not { } fields)
            {
                return null;
            }

            var to = fields.Ipv4Prefix("to", required: true);
            var via = fields.Ipv4("via", required: true);
            return to is { } prefix && via is not null ? new RouteDefinition(prefix, via) : null;
        }

        private (string Edge, string Network, IPAddress Ip, PhysicalAddress? Mac)? ReadAttachment(YamlFields fields, string name, string kind)
        {
            var edge = fields.String("edge", required: true);
            var network = fields.String("network", required: true);
            var ip = fields.Ipv4("ip", required: true);
            var mac = fields.Mac("mac");
            var valid = edge is not null && RequireNode(edge, fields.Find("edge")!, "edge");
            NetworkDefinition? segment = null;
            if (network is not null && !_networks.TryGetValue(network, out segment))
            {
                var known = _networks.Count == 0 ? "none are defined" : "known: " + string.Join(", ", _networks.Keys);
                errors.Add(fields.Find("network")!, $"{kind} '{name}' refers to network '{network}', which is not defined ({known}); write it as tenant/network");
                valid = false;
            }

            if (ip is not null && segment is not null)
            {
                if (!segment.Subnet.Contains(ip) || ip.Equals(segment.Subnet.BaseAddress) || ip.Equals(Broadcast(segment.Subnet)))
                {
                    errors.Add(fields.Find("ip")!, $"ip {ip} of {kind} '{name}' is outside the subnet {segment.Subnet} of network '{segment.Name}' (or is its network or broadcast address)");
                    valid = false;
                }
                else if (!_ipOwners.TryAdd(ip, $"{kind} '{name}'"))
                {
                    errors.Add(fields.Find("ip")!, $"ip {ip} of {kind} '{name}' is already used by {_ipOwners[ip]}");
                    valid = false;
                }
            }

            if (mac is not null && !_macOwners.TryAdd(mac, $"{kind} '{name}'"))
            {
                errors.Add(fields.Find("mac")!, $"mac {FormatMac(mac)} of {kind} '{name}' is already used by {_macOwners[mac]}");
                valid = false;
            }

            return valid && ip is not null ? (edge!, network!, ip, mac) : null;
        }

        private AclDefinition? ReadAcl(YamlNode node)
        {
            if (YamlFields.Of(node, "an acl", errors, AclKeys) is not { } fields)
            {
                return null;
            }

            var tenant = fields.String("tenant", required: true);
            if (tenant is not null && !_tenants.Contains(tenant))
            {
                errors.Add(fields.Find("tenant")!, $"acl refers to tenant '{tenant}', which is not defined");
                tenant = null;
            }

            var priority = fields.Integer("priority", 100, 0, 65535);
            var action = fields.Enum("action", AclRuleAction.Allow);
            var source = fields.Ipv4Prefix("from");
            var destination = fields.Ipv4Prefix("to");
            var protocol = fields.Enum("protocol", AclProtocol.Any);
            var ports = ReadPorts(fields, protocol);
            return tenant is null ? null : new AclDefinition(tenant, priority, action, source, destination, protocol, ports);
        }

        private L4PortRange? ReadPorts(YamlFields fields, AclProtocol protocol)
        {
            if (fields.String("ports") is not { } text)
            {
                return null;
            }

            var at = fields.Find("ports")!;
            if (protocol is not (AclProtocol.Tcp or AclProtocol.Udp))
            {
                errors.Add(at, "'ports' of an acl needs 'protocol: tcp' or 'protocol: udp'");
                return null;
            }

            var parts = text.Split('-');
            if (parts.Length is < 1 or > 2
                || !ushort.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var first)
                || !ushort.TryParse(parts[^1], System.Globalization.CultureInfo.InvariantCulture, out var last)
                || first > last)
            {
                errors.Add(at, $"'ports' of an acl must be a port such as 80 or a range such as 1000-2000, not '{text}'");
                return null;
            }

            return new L4PortRange(first, last);
        }

        private bool Claim(string name, string kind, YamlNode at)
        {
            if (_nodeKinds.TryGetValue(name, out var existing))
            {
                errors.Add(at, $"the name '{name}' of this {kind} is already taken by {WithArticle(existing)}");
                return false;
            }

            _nodeKinds[name] = kind;
            return true;
        }

        private bool RequireNode(string name, YamlNode at, params string[] kinds)
        {
            if (_nodeKinds.TryGetValue(name, out var kind) && kinds.Contains(kind))
            {
                return true;
            }

            var known = _nodeKinds.Where(n => kinds.Contains(n.Value)).Select(n => n.Key).ToList();
            var hint = known.Count == 0 ? $"no {string.Join(" or ", kinds)} is defined" : "known: " + string.Join(", ", known);
            errors.Add(at, $"'{name}' is not a defined {string.Join(" or ", kinds)} ({hint})");
            return false;
        }

        private static string WithArticle(string noun) => ("aeiou".Contains(noun[0], StringComparison.Ordinal) ? "an " : "a ") + noun;

        private static bool Overlaps(IPNetwork a, IPNetwork b) => a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress);

        private static IPAddress HostAddress(IPNetwork prefix, uint offset) =>
            new(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(ToUInt32(prefix.BaseAddress) + offset));

        private static IPAddress Broadcast(IPNetwork prefix) =>
            new(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(ToUInt32(prefix.BaseAddress) | (uint.MaxValue >> prefix.PrefixLength)));

        private static uint ToUInt32(IPAddress address) =>
            System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

        private static string FormatMac(PhysicalAddress mac) => string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
