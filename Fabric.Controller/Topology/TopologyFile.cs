using System.Globalization;
using System.Net;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sdn.Fabric.Controller.Topology;

/// <summary>
/// Loads a topology YAML file into a <see cref="TopologyDefinition"/>, or fails with every problem it found, each
/// at its file, line and column. The file's own syntax is checked here: the YAML, unknown keys, missing keys and
/// values of the wrong type. Everything else is the model's rules, the same ones every API call meets: the objects
/// the file declares are created, in order, in a model of their own, and each refusal is reported at the line of
/// the field it is about. Nothing is started from a file with an error.
/// </summary>
public static class TopologyFile
{
    public const int DefaultControllerPort = 6653;

    internal static readonly string[] TopKeys = ["name", "controller", "core", "edges", "links", "externals", "tenants", "vms", "hosts", "acls"];
    internal static readonly string[] ControllerKeys = ["listen"];
    internal static readonly string[] NodeKeys = ["name"];
    internal static readonly string[] LinkKeys = ["name", "endpoints", "kind", "cost", "admin-down", "impairment"];
    internal static readonly string[] ImpairmentKeys = ["loss", "delay-ms", "reorder", "seed"];
    internal static readonly string[] ExternalKeys = ["name", "edge", "interface", "subnet", "gateway-ip", "router", "ipv6-subnet", "ipv6-gateway-ip", "ipv6-router"];
    internal static readonly string[] TenantKeys = ["name", "external", "networks"];
    internal static readonly string[] NetworkKeys = ["name", "subnet", "gateway", "ipv6-subnet", "ipv6-gateway", "dns-server"];
    internal static readonly string[] VmKeys = ["name", "edge", "network", "ip", "ipv6", "mac", "port-security", "app", "params", "memory-mib", "vcpus", "floating-ip", "floating-ipv6"];
    internal static readonly string[] HostKeys = ["name", "edge", "network", "ip", "ipv6", "mac", "port-security", "routes", "dhcp", "floating-ip", "floating-ipv6"];
    internal static readonly string[] RouteKeys = ["to", "via"];
    internal static readonly string[] AclKeys = ["tenant", "priority", "action", "from", "to", "protocol", "ports", "stateful"];

    private static readonly Dictionary<string, LinkKind> LinkKinds = new(StringComparer.Ordinal) { ["memory"] = LinkKind.Memory, ["udp"] = LinkKind.Udp };
    private static readonly Dictionary<string, AclAction> AclActions = new(StringComparer.Ordinal) { ["allow"] = AclAction.Allow, ["deny"] = AclAction.Deny };
    private static readonly Dictionary<string, uint> Protocols = new(StringComparer.Ordinal) { ["any"] = 0, ["icmp"] = 1, ["tcp"] = 6, ["udp"] = 17 };

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

        var reader = new TopologyReader(errors);
        var root = stream.Documents[0].RootNode;
        var (name, controller) = reader.Read(root);
        var state = Admit(reader.Declared, reader.Flawed, errors);
        if (errors.Any || name is null)
        {
            throw errors.ToException();
        }

        if (state.Edges.Count == 0)
        {
            errors.Add(root, "a topology needs at least one edge under 'edges'");
            throw errors.ToException();
        }

        return new TopologyDefinition(name, controller, state) { SourceFile = file, Declared = reader.Declared.ToDictionary(d => d.Id, StringComparer.Ordinal) };
    }

    /// <summary>
    /// Creates the declared objects in a model of their own, each after what it refers to, and reports each refusal at
    /// its field. An object that refers to a refused one, or to one the file could not declare (<paramref name="flawed"/>),
    /// is skipped: its own problem is the other's.
    /// </summary>
    private static FabricState Admit(IReadOnlyList<DeclaredObject> declared, IEnumerable<string> flawed, TopologyErrors errors)
    {
        var model = new FabricModel(store: null);
        var refused = new HashSet<string>(flawed, StringComparer.Ordinal);
        var created = new HashSet<string>(StringComparer.Ordinal);
        var byMessage = declared.ToDictionary(d => (object)d.Object.Message, ReferenceEqualityComparer.Instance);
        var inOrder = StateObjects.InCreationOrder(Draft(declared)).Select(o => byMessage[o.Message]);
        foreach (var item in inOrder)
        {
            if (item.Needs.Any(n => refused.Contains(n) && !created.Contains(n)))
            {
                refused.Add(item.Id);
                continue;
            }

            try
            {
                item.Object.CreateIn(model);
                created.Add(item.Id);
            }
            catch (ModelException e)
            {
                refused.Add(item.Id);
                errors.Add(item.At(e.Field), e.Message);
            }
        }

        return model.Snapshot();
    }

    /// <summary>The declared objects as one state, to put them in creation order (they are the same instances).</summary>
    private static FabricState Draft(IReadOnlyList<DeclaredObject> declared)
    {
        var state = new FabricState();
        foreach (var message in declared.Select(d => d.Object.Message))
        {
            switch (message)
            {
                case EdgeNode edge: state.Edges.Add(edge); break;
                case CoreNode core: state.CoreNodes.Add(core); break;
                case Link link: state.Links.Add(link); break;
                case ExternalNetwork external: state.Externals.Add(external); break;
                case Tenant tenant: state.Tenants.Add(tenant); break;
                case Network network: state.Networks.Add(network); break;
                case AclRule rule: state.AclRules.Add(rule); break;
                case Port port: state.Ports.Add(port); break;
            }
        }

        return state;
    }

    /// <summary>Reads the document into the objects it declares, checking the file's syntax only.</summary>
    private sealed class TopologyReader(TopologyErrors errors)
    {
        private readonly List<DeclaredObject> _declared = [];
        private readonly HashSet<string> _flawed = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _aclsPerTenant = new(StringComparer.Ordinal);

        public IReadOnlyList<DeclaredObject> Declared => _declared;

        /// <summary>The objects the file names but could not declare, for a missing or unreadable value.</summary>
        public IReadOnlyCollection<string> Flawed => _flawed;

        public (string? Name, ControllerDefinition Controller) Read(YamlNode root)
        {
            var top = YamlFields.Of(root, "the topology", errors, TopKeys);
            if (top is null)
            {
                return (null, new ControllerDefinition(new IPEndPoint(IPAddress.Loopback, DefaultControllerPort)));
            }

            var name = top.String("name", required: true);
            var controller = ReadController(top);
            foreach (var node in top.Sequence("core"))
            {
                ReadNode(node, "core node", n => ModelObject.Of(ResourceKinds.CoreNodes, new CoreNode { Name = n }));
            }

            foreach (var node in top.Sequence("edges"))
            {
                ReadNode(node, "edge", n => ModelObject.Of(ResourceKinds.Edges, new EdgeNode { Name = n }));
            }

            top.Sequence("links").ToList().ForEach(ReadLink);
            top.Sequence("externals").ToList().ForEach(ReadExternal);
            top.Sequence("tenants").ToList().ForEach(ReadTenant);
            top.Sequence("vms").ToList().ForEach(ReadVm);
            top.Sequence("hosts").ToList().ForEach(ReadHost);
            top.Sequence("acls").ToList().ForEach(ReadAcl);
            return (name, controller);
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

        private void ReadNode(YamlNode node, string kind, Func<string, ModelObject> create)
        {
            if (YamlFields.Of(node, WithArticle(kind), errors, NodeKeys) is { } fields && fields.String("name", required: true) is { } name)
            {
                Declare(create(name), fields, [], ("name", "name"));
            }
        }

        private void ReadLink(YamlNode node)
        {
            if (YamlFields.Of(node, "a link", errors, LinkKeys) is not { } fields)
            {
                return;
            }

            var endpoints = fields.Sequence("endpoints").ToList();
            if (endpoints.Count != 2 || endpoints.Any(e => e is not YamlScalarNode { Value.Length: > 0 }))
            {
                errors.Add(fields.Find("endpoints") ?? node, "a link needs 'endpoints': a list of exactly two node names");
                return;
            }

            var (from, to) = (((YamlScalarNode)endpoints[0]).Value!, ((YamlScalarNode)endpoints[1]).Value!);
            var link = new Link
            {
                Name = fields.String("name") ?? $"{from}--{to}",
                A = new LinkEndpoint { Node = from },
                B = new LinkEndpoint { Node = to },
                Kind = fields.Choice("kind", LinkKinds, LinkKind.Unspecified),
                Cost = fields.Unsigned("cost", 0),
                AdminDown = fields.Boolean("admin-down"),
            };
            var located = new Dictionary<string, YamlNode> { ["a.node"] = endpoints[0], ["b.node"] = endpoints[1] };
            if (fields.Find("impairment") is { } impairmentNode && YamlFields.Of(impairmentNode, "an impairment", errors, ImpairmentKeys) is { } impairment)
            {
                link.Impairment = new Impairment
                {
                    Loss = impairment.Fraction("loss"),
                    DelayMs = impairment.Unsigned("delay-ms", 0),
                    Reorder = impairment.Fraction("reorder"),
                    Seed = impairment.Integer("seed", 1),
                };
                located["impairment"] = impairmentNode;
                Locate(located, impairment, ("impairment.loss", "loss"), ("impairment.delay_ms", "delay-ms"), ("impairment.reorder", "reorder"));
                if (impairment.Flawed)
                {
                    fields.Report(impairmentNode, $"the impairment of link '{link.Name}' is not usable as written");
                }
            }

            Declare(ModelObject.Of(ResourceKinds.Links, link), fields, [DeclaredObject.IdOf("edge", from), DeclaredObject.IdOf("edge", to)], located, ("name", "name"), ("kind", "kind"), ("cost", "cost"), ("admin_down", "admin-down"));
        }

        private void ReadExternal(YamlNode node)
        {
            if (YamlFields.Of(node, "an external network", errors, ExternalKeys) is not { } fields || fields.String("name", required: true) is not { } name)
            {
                return;
            }

            var external = new ExternalNetwork
            {
                Name = name,
                Edge = fields.String("edge", required: true) ?? string.Empty,
                Interface = fields.String("interface", required: true) ?? string.Empty,
                Ipv4Subnet = fields.String("subnet", required: true) ?? string.Empty,
                Ipv4Address = fields.String("gateway-ip", required: true) ?? string.Empty,
                Ipv4Router = fields.String("router") ?? string.Empty,
                Ipv6Subnet = fields.String("ipv6-subnet") ?? string.Empty,
                Ipv6Address = fields.String("ipv6-gateway-ip") ?? string.Empty,
                Ipv6Router = fields.String("ipv6-router") ?? string.Empty,
            };
            Declare(
                ModelObject.Of(ResourceKinds.ExternalNetworks, external),
                fields,
                [DeclaredObject.IdOf("edge", external.Edge)],
                ("name", "name"),
                ("edge", "edge"),
                ("interface", "interface"),
                ("ipv4_subnet", "subnet"),
                ("ipv4_address", "gateway-ip"),
                ("ipv4_router", "router"),
                ("ipv6_subnet", "ipv6-subnet"),
                ("ipv6_address", "ipv6-gateway-ip"),
                ("ipv6_router", "ipv6-router"));
        }

        private void ReadTenant(YamlNode node)
        {
            if (YamlFields.Of(node, "a tenant", errors, TenantKeys) is not { } fields || fields.String("name", required: true) is not { } tenant)
            {
                return;
            }

            var external = fields.String("external") ?? string.Empty;
            Declare(
                ModelObject.Of(ResourceKinds.Tenants, new Tenant { Name = tenant, External = external }),
                fields,
                external.Length > 0 ? [DeclaredObject.IdOf(ResourceKinds.ExternalNetworks.Kind, external)] : [],
                ("name", "name"),
                ("external", "external"));
            foreach (var networkNode in fields.Sequence("networks"))
            {
                if (YamlFields.Of(networkNode, $"a network of tenant '{tenant}'", errors, NetworkKeys) is not { } network || network.String("name", required: true) is not { } name)
                {
                    continue;
                }

                var declared = new Network
                {
                    Name = NetworkName($"{tenant}/{name}"),
                    Tenant = tenant,
                    Ipv4Subnet = network.String("subnet", required: true) ?? string.Empty,
                    Ipv4Gateway = network.String("gateway") ?? string.Empty,
                    Ipv6Subnet = network.String("ipv6-subnet") ?? string.Empty,
                    Ipv6Gateway = network.String("ipv6-gateway") ?? string.Empty,
                    Ipv4DnsServer = network.String("dns-server") ?? string.Empty,
                };
                Declare(
                    ModelObject.Of(ResourceKinds.Networks, declared),
                    network,
                    [DeclaredObject.IdOf("tenant", tenant)],
                    ("name", "name"),
                    ("ipv4_subnet", "subnet"),
                    ("ipv4_gateway", "gateway"),
                    ("ipv6_subnet", "ipv6-subnet"),
                    ("ipv6_gateway", "ipv6-gateway"),
                    ("ipv4_dns_server", "dns-server"));
            }
        }

        private void ReadVm(YamlNode node)
        {
            if (YamlFields.Of(node, "a vm", errors, VmKeys) is not { } fields || Attachment(fields, "vm") is not { } port)
            {
                return;
            }

            port.Kind = PortKind.Vnic;
            port.Vm = new VmSpec
            {
                App = fields.String("app") ?? string.Empty,
                MemoryMib = fields.Unsigned("memory-mib", 0),
                Vcpus = fields.Unsigned("vcpus", 0),
            };
            var located = new Dictionary<string, YamlNode>();
            foreach (var (key, (value, at)) in fields.Scalars("params"))
            {
                port.Vm.Params[key] = value;
                located[$"vm.params.{key}"] = at;
            }

            var target = VmApps.TargetPort(port.Vm);
            Declare(ModelObject.Of(ResourceKinds.Ports, port), fields, Needs(port, target), located, AttachmentFields.Append(("vm.app", "app")).Append(("vm.params", "params")).Append(("vm.memory_mib", "memory-mib")).Append(("vm.vcpus", "vcpus")).ToArray());
        }

        private void ReadHost(YamlNode node)
        {
            if (YamlFields.Of(node, "a host", errors, HostKeys) is not { } fields || Attachment(fields, "host") is not { } port)
            {
                return;
            }

            port.Kind = PortKind.Tap;
            port.Host = new HostSpec { Dhcp = fields.Boolean("dhcp") };
            foreach (var routeNode in fields.Sequence("routes"))
            {
                if (YamlFields.Of(routeNode, $"a route of host '{port.Name}'", errors, RouteKeys) is { } route)
                {
                    port.Host.Routes.Add(new Route { To = route.String("to", required: true) ?? string.Empty, Via = route.String("via", required: true) ?? string.Empty });
                    if (route.Flawed)
                    {
                        _flawed.Add(DeclaredObject.IdOf("port", port.Name));
                    }
                }
            }

            Declare(ModelObject.Of(ResourceKinds.Ports, port), fields, Needs(port, target: null), [.. AttachmentFields, ("host.routes", "routes"), ("host.dhcp", "dhcp")]);
        }

        private void ReadAcl(YamlNode node)
        {
            if (YamlFields.Of(node, "an acl", errors, AclKeys) is not { } fields || fields.String("tenant", required: true) is not { } tenant)
            {
                return;
            }

            var index = _aclsPerTenant[tenant] = _aclsPerTenant.GetValueOrDefault(tenant) + 1;
            var rule = new AclRule
            {
                Name = $"{tenant}-acl-{index}",
                Tenant = tenant,
                Priority = fields.Unsigned("priority", 100),
                Action = fields.Choice("action", AclActions, AclAction.Allow),
                SrcCidr = fields.String("from") ?? string.Empty,
                DstCidr = fields.String("to") ?? string.Empty,
                Protocol = fields.Choice("protocol", Protocols, 0u),
                DstPorts = fields.String("ports") is { } ports ? PortRangeOf(ports, fields) : null,
                Stateful = fields.Boolean("stateful"),
            };
            Declare(
                ModelObject.Of(ResourceKinds.AclRules, rule),
                fields,
                [DeclaredObject.IdOf("tenant", tenant)],
                ("tenant", "tenant"),
                ("priority", "priority"),
                ("action", "action"),
                ("src_cidr", "from"),
                ("dst_cidr", "to"),
                ("protocol", "protocol"),
                ("dst_ports", "ports"),
                ("stateful", "stateful"));
        }

        /// <summary>What VMs and hosts share: the port's name, edge, network, address and MAC.</summary>
        private static readonly (string Field, string Key)[] AttachmentFields = [("name", "name"), ("edge", "edge"), ("network", "network"), ("ipv4", "ip"), ("ipv6", "ipv6"), ("mac", "mac"), ("port_security", "port-security"), ("floating_ipv4", "floating-ip"), ("floating_ipv6", "floating-ipv6")];

        private static Port? Attachment(YamlFields fields, string kind)
        {
            var name = fields.String("name", required: true);
            var edge = fields.String("edge", required: true);
            var network = fields.String("network", required: true);
            var ip = fields.String("ip", required: true);
            return name is null || edge is null || network is null || ip is null
                ? null
                : new Port
                {
                    Name = name,
                    Edge = edge,
                    Network = NetworkName(network),
                    Ipv4 = ip,
                    Ipv6 = fields.String("ipv6") ?? string.Empty,
                    Mac = fields.String("mac") ?? string.Empty,
                    PortSecurity = fields.Boolean("port-security", defaultValue: true),
                    FloatingIpv4 = fields.String("floating-ip") ?? string.Empty,
                    FloatingIpv6 = fields.String("floating-ipv6") ?? string.Empty,
                };
        }

        private static string[] Needs(Port port, string? target) =>
            [DeclaredObject.IdOf("edge", port.Edge), DeclaredObject.IdOf("network", port.Network), .. target is null ? Array.Empty<string>() : [DeclaredObject.IdOf("port", target)]];

        /// <summary>"1000-2000" or "80".</summary>
        private static PortRange? PortRangeOf(string text, YamlFields fields)
        {
            var parts = text.Split('-');
            if (parts.Length is >= 1 and <= 2
                && uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                && uint.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            {
                return new PortRange { First = first, Last = last };
            }

            fields.Report(fields.Find("ports")!, $"'ports' of an acl must be a port such as 80 or a range such as 1000-2000, not '{text}'");
            return null;
        }

        private void Declare(ModelObject item, YamlFields fields, IReadOnlyList<string> needs, params (string Field, string Key)[] keys) =>
            Declare(item, fields, needs, new Dictionary<string, YamlNode>(), keys);

        /// <summary>Declares <paramref name="item"/>, or, when a value of it was missing or unreadable, notes that it could not be.</summary>
        private void Declare(ModelObject item, YamlFields fields, IReadOnlyList<string> needs, Dictionary<string, YamlNode> located, params (string Field, string Key)[] keys)
        {
            var declared = new DeclaredObject(item, fields.Node, located, needs);
            if (fields.Flawed || _flawed.Contains(declared.Id))
            {
                _flawed.Add(declared.Id);
                return;
            }

            Locate(located, fields, keys);
            _declared.Add(declared);
        }

        private static void Locate(Dictionary<string, YamlNode> located, YamlFields fields, params (string Field, string Key)[] keys)
        {
            foreach (var (field, key) in keys)
            {
                if (fields.Find(key) is { } at)
                {
                    located.TryAdd(field, at);
                }
            }
        }

        private static string WithArticle(string noun) => ("aeiou".Contains(noun[0], StringComparison.Ordinal) ? "an " : "a ") + noun;
    }

    /// <summary>The model's name for a file's "tenant/network": model names cannot hold '/', so it becomes "tenant.network".</summary>
    public static string NetworkName(string topologyName)
    {
        ArgumentNullException.ThrowIfNull(topologyName);
        return topologyName.Replace('/', '.');
    }
}
