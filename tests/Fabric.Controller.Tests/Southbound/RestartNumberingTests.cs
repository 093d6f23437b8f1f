using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Southbound;

namespace Sdn.Fabric.Controller.Tests.Southbound;

/// <summary>A controller that restarts over its state directory programs every node as it was, numbers and all.</summary>
public sealed class RestartNumberingTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"sdn-numbering-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Labels_and_port_numbers_chosen_as_objects_arrived_survive_a_restart()
    {
        var model = Topologies.DualHomed(new StateStore(_directory));
        CompiledFabric before;
        await using (var programmer = new FabricProgrammer(model, new AgentHub(model)))
        {
            // Ports arrive out of name order, a compile each: from scratch, alpha would take the first free numbers.
            foreach (var port in new[] { "zeta", "alpha", "mid" })
            {
                model.Create(ResourceKinds.Ports, new Port { Name = port, Network = "lan", Edge = "e1" });
                programmer.Recompile();
            }

            before = programmer.Compiled;
        }

        var restarted = new FabricModel(new StateStore(_directory));
        await using var again = new FabricProgrammer(restarted, new AgentHub(restarted));

        Assert.True(File.Exists(Path.Combine(_directory, NumberingFile.FileName)));
        foreach (var node in new[] { "e1", "e2", "c1", "c2" })
        {
            Assert.True(NodeProgram.IsEmpty(NodeProgram.Diff(before.ProgramOf(node), again.Compiled.ProgramOf(node), 1, 2)), $"{node}'s program changed across the restart");
        }
    }

    [Fact]
    public void A_numbering_file_that_is_not_one_is_named()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, NumberingFile.FileName), "{ not json");

        var refused = Assert.Throws<InvalidDataException>(() => new NumberingFile(_directory).Load());

        Assert.StartsWith($"{Path.Combine(_directory, NumberingFile.FileName)} is not a saved numbering", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_compile_journals_only_the_scopes_it_changed_and_a_torn_line_is_dropped()
    {
        var file = new NumberingFile(_directory);
        var before = new Dictionary<string, StableNumbering>
        {
            ["ports/e1"] = StableNumbering.Assign(["vnic/a"], StableNumbering.Empty, 1, 10),
            ["ports/e2"] = StableNumbering.Assign(["vnic/b"], StableNumbering.Empty, 1, 10),
        };
        file.Save(null, before, scopes: null);
        var after = new Dictionary<string, StableNumbering>(before) { ["ports/e1"] = StableNumbering.Assign(["vnic/a", "vnic/c"], before["ports/e1"], 1, 10) };
        after.Remove("ports/e2");

        file.Save(before, after, scopes: null);
        File.AppendAllText(file.JournalPath, "{\"Scope\":\"ports/e3\",\"Num");

        Assert.Equal(4, File.ReadAllText(file.JournalPath).Count(c => c == '\n'));
        var loaded = new NumberingFile(_directory).Load();
        Assert.Equal(["ports/e1"], loaded.Keys);
        Assert.True(loaded["ports/e1"].SameAs(after["ports/e1"]));
        Assert.True(File.Exists(file.Path));
        Assert.False(File.Exists(file.JournalPath));
    }

    [Fact]
    public void A_step_that_names_its_scopes_journals_those_of_them_that_changed()
    {
        var file = new NumberingFile(_directory);
        var before = new Dictionary<string, StableNumbering>
        {
            ["ports/e1"] = StableNumbering.Assign(["vnic/a"], StableNumbering.Empty, 1, 10),
            ["ports/e2"] = StableNumbering.Assign(["vnic/b"], StableNumbering.Empty, 1, 10),
            ["labels/e2"] = StableNumbering.Assign(["svc/b/0800"], StableNumbering.Empty, 16, 100),
        };
        file.Save(null, before, scopes: null);
        var after = new Dictionary<string, StableNumbering>(before)
        {
            ["ports/e2"] = StableNumbering.Assign(["vnic/b", "vnic/c"], before["ports/e2"], 1, 10),
            ["labels/e2"] = StableNumbering.Assign(["svc/b/0800"], before["labels/e2"], 16, 100),
        };

        file.Save(before, after, scopes: ["labels/e2", "ports/e2"]);

        Assert.Equal(4, File.ReadAllText(file.JournalPath).Count(c => c == '\n'));
        var loaded = new NumberingFile(_directory).Load();
        Assert.Equal(2u, loaded["ports/e2"]["vnic/c"]);
        Assert.True(loaded["labels/e2"].SameAs(before["labels/e2"]));
    }
}
