using System.Text.Json;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Fabric.Controller.Tests.Topology;

/// <summary>The JSON schema editors use must allow exactly the keys the parser accepts.</summary>
public class TopologySchemaTests
{
    private static readonly JsonElement Schema =
        JsonDocument.Parse(File.ReadAllText(RepositoryRoot.Combine("topologies", "sdn-topology.schema.json"))).RootElement;

    public static TheoryData<string, string[]> Objects() => new()
    {
        { "", TopologyFile.TopKeys },
        { "node", TopologyFile.NodeKeys },
        { "link", TopologyFile.LinkKeys },
        { "impairment", TopologyFile.ImpairmentKeys },
        { "external", TopologyFile.ExternalKeys },
        { "tenant", TopologyFile.TenantKeys },
        { "network", TopologyFile.NetworkKeys },
        { "vm", TopologyFile.VmKeys },
        { "host", TopologyFile.HostKeys },
        { "route", TopologyFile.RouteKeys },
        { "acl", TopologyFile.AclKeys },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void Schema_and_parser_agree_on_the_keys_of(string definition, string[] parserKeys)
    {
        var node = definition.Length == 0 ? Schema : Schema.GetProperty("definitions").GetProperty(definition);

        var schemaKeys = node.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order().ToArray();

        Assert.Equal(parserKeys.Order().ToArray(), schemaKeys);
        Assert.False(node.GetProperty("additionalProperties").GetBoolean());
    }

    [Fact]
    public void Schema_lists_the_apps_the_model_accepts()
    {
        var apps = Schema.GetProperty("definitions").GetProperty("vm").GetProperty("properties").GetProperty("app").GetProperty("enum")
            .EnumerateArray().Select(e => e.GetString()!).ToArray();

        Assert.Equal(VmApps.Names, apps);
    }
}
