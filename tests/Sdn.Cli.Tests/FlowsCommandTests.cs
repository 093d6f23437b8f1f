using Sdn.Cli.Commands;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Compiler;

namespace Sdn.Cli.Tests;

/// <summary>`sdn flows` against a controller whose edges run real agents, and how it writes port numbers.</summary>
public sealed class FlowsCommandTests : IAsyncLifetime
{
    private AgentFabric _fabric = null!;

    public async Task InitializeAsync() => _fabric = await AgentFabric.StartAsync(Topologies.DualHomed());

    public Task DisposeAsync() => _fabric.DisposeAsync().AsTask();

    [Fact]
    public async Task Flows_prints_the_ports_of_matches_and_actions_by_name()
    {
        var (exit, output) = await SdnCli.InvokeAsync(_fabric.Address, "flows", "e1");

        Assert.True(exit == 0, output);
        Assert.Matches(@" table=0 \(classify\), .*,in_port=src actions=write_metadata:", output);
        Assert.Matches($@" table={EdgeTables.Classify} \(classify\), .*,in_port=e1-c1 actions=goto_table:{EdgeTables.Egress}\n", output);
        Assert.Matches($@" table={EdgeTables.Forward} \(forward\), .*,dl_dst=[0-9a-f:]+ actions=output:src\n", output);
        Assert.DoesNotMatch(@"(in_port=|output:|mirror:)\d", output);
    }

    [Fact]
    public void A_port_without_a_name_keeps_its_number_and_a_name_that_reads_as_a_number_is_quoted()
    {
        var ports = PortNames.Of([new PortConfig { Number = 1, Name = "vm1" }, new PortConfig { Number = 2, Name = "7" }, new PortConfig { Number = 3 }]);
        var entry = new FlowEntry
        {
            Priority = 100,
            Match = { new FieldMatch { Field = Field.InPort, Value = Google.Protobuf.ByteString.CopyFrom(0, 0, 0, 1) } },
            Instructions =
            {
                new Instruction
                {
                    ApplyActions = new ApplyActions
                    {
                        Actions = { new FlowAction { Mirror = 3 }, new FlowAction { Output = 2 }, new FlowAction { Output = 4 }, new FlowAction { Output = 0xFFFF_FFF8 } },
                    },
                },
            },
        };

        Assert.Equal("priority=100,in_port=vm1 actions=mirror:3,output:\"7\",output:4,output:in_port", FlowText.Entry(entry, ports));
        Assert.Equal("priority=100,in_port=1 actions=mirror:3,output:2,output:4,output:in_port", FlowText.Entry(entry));
    }
}
