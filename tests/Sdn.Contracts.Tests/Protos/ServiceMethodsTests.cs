using Google.Protobuf.Reflection;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;

namespace Sdn.Contracts.Tests.Protos;

public class ServiceMethodsTests
{
    [Fact]
    public void Every_controller_method_of_the_proto_has_its_path()
    {
        var service = ControllerReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Controller");
        var paths = typeof(ControllerMethods).GetFields()
            .Select(f => f.GetValue(null)!.GetType().GetProperty("Path")!.GetValue(f.GetValue(null)))
            .ToHashSet();

        Assert.Equal(service.Methods.Select(m => $"/sdn.v1.Controller/{m.Name}").Order(), paths.Cast<string>().Order());
    }

    [Fact]
    public void Agent_connect_is_the_southbound_stream()
    {
        Assert.Equal("/sdn.v1.Agent/Connect", AgentMethods.Connect.Path);
        Assert.True(AgentReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Agent").Methods.Single().IsClientStreaming);
    }

    [Fact]
    public void A_method_with_the_wrong_message_types_is_refused()
    {
        var service = ControllerReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Controller");

        Assert.Throws<ArgumentException>(() => RpcMethod.Of<Tenant, Network>(service, "CreateTenant"));
        Assert.Throws<ArgumentException>(() => RpcMethod.Of<Tenant, Tenant>(service, "NoSuchMethod"));
    }
}
