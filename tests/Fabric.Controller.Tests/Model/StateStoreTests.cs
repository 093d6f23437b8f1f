using Google.Protobuf;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Tests.Model;

public class StateStoreTests
{
    [Fact]
    public void Each_change_appends_one_line_and_a_restart_replays_them()
    {
        using var fixture = new ModelFixture();
        var before = fixture.Model.Snapshot();

        Assert.False(File.Exists(fixture.Store.Path));
        Assert.Equal((int)before.Version, File.ReadAllLines(fixture.Store.JournalPath).Length);

        Assert.Equal(before, new StateStore(fixture.Directory).Load());
    }

    [Fact]
    public void A_state_json_from_an_older_controller_loads_and_takes_changes()
    {
        using var fixture = new ModelFixture(populated: false);
        var old = new FabricModel(store: null);
        ModelFixture.Populate(old);
        Directory.CreateDirectory(fixture.Directory);
        File.WriteAllText(fixture.Store.Path, new JsonFormatter(JsonFormatter.Settings.Default.WithIndentation()).Format(old.Snapshot()));

        var model = new FabricModel(new StateStore(fixture.Directory));
        Assert.Equal(old.Snapshot(), model.Snapshot());
        model.Create(ResourceKinds.Tenants, new Tenant { Name = "initech" });

        Assert.Equal(model.Snapshot(), fixture.Restart().Snapshot());
        Assert.Equal(old.Snapshot().Version + 1, fixture.Model.Version);
    }

    [Fact]
    public void A_last_line_torn_by_a_crash_is_dropped()
    {
        using var fixture = new ModelFixture();
        var before = fixture.Model.Snapshot();
        File.AppendAllText(fixture.Store.JournalPath, "{\"version\": \"99\", \"type\": \"CREA");

        Assert.Equal(before, fixture.Restart().Snapshot());
        fixture.Model.Create(ResourceKinds.Tenants, new Tenant { Name = "initech" });
        Assert.Equal(fixture.Model.Snapshot(), fixture.Restart().Snapshot());
    }

    [Fact]
    public void A_broken_line_names_the_journal_and_the_line()
    {
        using var fixture = new ModelFixture();
        var lines = File.ReadAllLines(fixture.Store.JournalPath);
        lines[2] = "{ not json";
        File.WriteAllLines(fixture.Store.JournalPath, lines);

        var error = Assert.Throws<InvalidDataException>(() => new StateStore(fixture.Directory).Load());

        Assert.StartsWith($"{fixture.Store.JournalPath}:3: not a saved change", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_the_snapshot_already_holds_are_skipped()
    {
        using var fixture = new ModelFixture();
        var journal = File.ReadAllText(fixture.Store.JournalPath);
        var before = fixture.Restart().Snapshot();

        // As if the controller died after writing the compacted snapshot, before emptying the journal.
        File.WriteAllText(fixture.Store.JournalPath, journal);

        Assert.Equal(before, fixture.Restart().Snapshot());
    }

    [Fact]
    public void The_journal_is_compacted_once_it_outgrows_the_state()
    {
        using var fixture = new ModelFixture();
        for (var i = 0; i < StateStore.CompactAfter; i++)
        {
            fixture.Model.Create(ResourceKinds.Tenants, new Tenant { Name = "initech" });
            fixture.Model.Delete(ResourceKinds.Tenants, "initech");
        }

        Assert.True(File.Exists(fixture.Store.Path));
        Assert.True(File.ReadAllLines(fixture.Store.JournalPath).Length < StateStore.CompactAfter);
        Assert.Equal(fixture.Model.Snapshot(), new StateStore(fixture.Directory).Load());
    }
}
