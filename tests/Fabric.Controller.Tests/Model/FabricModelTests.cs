using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Tests.Model;

public class FabricModelTests
{
    [Fact]
    public void A_resync_takes_in_and_announces_what_differs_at_the_new_version_and_nothing_twice()
    {
        using var ahead = new ModelFixture();
        using var behind = new ModelFixture();
        ahead.Model.Delete(ResourceKinds.AclRules, "no-telnet");
        ahead.Model.Create(ResourceKinds.Ports, new Port { Name = "web2", Network = "web", Edge = "e2" });
        ahead.Model.SetLinkState("e1-c1", adminDown: true);
        var current = ahead.Model.Snapshot();
        using var events = behind.Model.Watch(includeExisting: false);

        var changed = behind.Model.Resync(current);

        Assert.Equal(3, changed);
        Assert.Equal(current, behind.Model.Snapshot());
        Assert.Equal(0, behind.Model.Resync(current));
        var announced = new List<string>();
        while (events.Reader.TryRead(out var change))
        {
            announced.Add($"{change.Type} {ModelObject.FromEvent(change)} at {change.Version}");
        }

        Assert.Equal([$"Deleted ACL rule 'no-telnet' at {current.Version}", $"Updated link 'e1-c1' at {current.Version}", $"Created port 'web2' at {current.Version}"], announced);
    }

    [Fact]
    public void Network_defaults_are_filled_in()
    {
        using var fixture = new ModelFixture();

        var network = fixture.Model.Create(ResourceKinds.Networks, new Network { Name = "db", Tenant = "acme", Ipv4Subnet = "10.0.2.0/24", Ipv6Subnet = "fd00:2::/64" });

        Assert.Equal("10.0.2.1", network.Ipv4Gateway);
        Assert.Equal("fd00:2::1", network.Ipv6Gateway);
        Assert.Equal(1500u, network.Mtu);
        Assert.Equal(network, fixture.Model.Get(ResourceKinds.Networks, "db"));
    }

    [Fact]
    public void Ports_get_the_lowest_free_addresses_and_a_deterministic_local_mac()
    {
        using var fixture = new ModelFixture();
        using var other = new ModelFixture();

        var web2 = fixture.Model.Create(ResourceKinds.Ports, new Port { Name = "web2", Network = "web", Edge = "e2" });
        fixture.Model.Delete(ResourceKinds.Ports, "web1");
        var web3 = fixture.Model.Create(ResourceKinds.Ports, new Port { Name = "web3", Network = "web", Edge = "e2" });

        Assert.Equal("10.0.1.3", web2.Ipv4);
        Assert.Equal("10.0.1.2", web3.Ipv4);
        Assert.StartsWith("02:5d:", web2.Mac, StringComparison.Ordinal);
        Assert.Equal(PortKind.Vnic, web2.Kind);
        Assert.Equal(web2.Mac, other.Model.Create(ResourceKinds.Ports, new Port { Name = "web2", Network = "web", Edge = "e1" }).Mac);
        Assert.NotEqual(web2.Mac, web3.Mac);
    }

    [Fact]
    public void Given_mac_and_addresses_are_kept_in_canonical_form()
    {
        using var fixture = new ModelFixture();
        fixture.Model.Create(ResourceKinds.Networks, new Network { Name = "v6", Tenant = "globex", Ipv4Subnet = "10.5.0.0/24", Ipv6Subnet = "fd00:5::/64" });

        var port = fixture.Model.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "v6", Edge = "e1", Mac = "0A-BB-CC-DD-EE-0F", Ipv4 = "10.5.0.77", Ipv6 = "fd00:5:0:0::77" });

        Assert.Equal("0a:bb:cc:dd:ee:0f", port.Mac);
        Assert.Equal("10.5.0.77", port.Ipv4);
        Assert.Equal("fd00:5::77", port.Ipv6);
    }

    [Fact]
    public void A_taken_address_written_another_way_is_still_taken()
    {
        using var fixture = new ModelFixture();
        fixture.Model.Create(ResourceKinds.Networks, new Network { Name = "v6", Tenant = "globex", Ipv4Subnet = "10.5.0.0/24", Ipv6Subnet = "fd00:5::/64" });
        fixture.Model.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "v6", Edge = "e1", Ipv4 = "10.5.0.77", Ipv6 = "fd00:5::77" });

        var v6 = Assert.Throws<ModelException>(() => fixture.Model.Create(ResourceKinds.Ports, new Port { Name = "q", Network = "v6", Edge = "e1", Ipv6 = "FD00:5:0:0:0:0:0:77" }));

        Assert.Equal("ipv6 FD00:5:0:0:0:0:0:77 is already used by port 'p' of network 'v6'", v6.Message);
        Assert.Equal(ModelError.AlreadyExists, v6.Error);
    }

    [Fact]
    public void A_full_subnet_refuses_another_port()
    {
        using var fixture = new ModelFixture();
        fixture.Model.Create(ResourceKinds.Networks, new Network { Name = "tiny", Tenant = "acme", Ipv4Subnet = "10.7.0.0/30" });
        fixture.Model.Create(ResourceKinds.Ports, new Port { Name = "only", Network = "tiny", Edge = "e1" });

        var refused = Assert.Throws<ModelException>(() => fixture.Model.Create(ResourceKinds.Ports, new Port { Name = "one-more", Network = "tiny", Edge = "e1" }));

        Assert.Equal(ModelError.FailedPrecondition, refused.Error);
        Assert.Contains("no free ipv4 address", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tenants_may_reuse_each_others_subnets_and_addresses()
    {
        using var fixture = new ModelFixture();
        fixture.Model.Create(ResourceKinds.Networks, new Network { Name = "web-g", Tenant = "globex", Ipv4Subnet = "10.0.1.0/24" });

        var port = fixture.Model.Create(ResourceKinds.Ports, new Port { Name = "g1", Network = "web-g", Edge = "e1", Ipv4 = "10.0.1.2", Mac = fixture.Model.Get(ResourceKinds.Ports, "web1").Mac });

        Assert.Equal("10.0.1.2", port.Ipv4);
    }

    [Fact]
    public void Every_accepted_change_bumps_the_version()
    {
        using var fixture = new ModelFixture(populated: false);

        ModelFixture.Populate(fixture.Model);

        Assert.Equal(10ul, fixture.Model.Version);
    }

    [Fact]
    public void Desired_state_survives_a_restart()
    {
        using var fixture = new ModelFixture();
        fixture.Model.SetLinkState("e2-c1", adminDown: true);
        var before = fixture.Model.Snapshot();

        var restarted = fixture.Restart();

        Assert.Equal(before, restarted.Snapshot());
        Assert.True(restarted.Get(ResourceKinds.Links, "e2-c1").AdminDown);
        Assert.Contains("\"ipv4Subnet\": \"10.0.1.0/24\"", File.ReadAllText(fixture.Store.Path), StringComparison.Ordinal);
        Assert.Equal([StateStore.FileName], Directory.GetFiles(fixture.Directory).Select(Path.GetFileName));
        Assert.Equal("10.0.1.3", restarted.Create(ResourceKinds.Ports, new Port { Name = "after", Network = "web", Edge = "e2" }).Ipv4);
    }

    [Fact]
    public void A_save_that_fails_changes_nothing()
    {
        using var fixture = new ModelFixture();
        var before = fixture.Restart().Snapshot();
        Directory.CreateDirectory(fixture.Store.JournalPath);

        Assert.Throws<UnauthorizedAccessException>(() => fixture.Model.Create(ResourceKinds.Tenants, new Tenant { Name = "initech" }));

        Assert.Equal(before, fixture.Model.Snapshot());
        Assert.Equal(before, fixture.Restart().Snapshot());
    }

    [Fact]
    public void A_corrupt_state_file_is_a_clear_error()
    {
        using var fixture = new ModelFixture(populated: false);
        Directory.CreateDirectory(fixture.Directory);
        File.WriteAllText(fixture.Store.Path, "{ not json");

        var error = Assert.Throws<InvalidDataException>(() => new FabricModel(fixture.Store));

        Assert.Contains(fixture.Store.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("move it away", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Watchers_see_each_change_with_its_version()
    {
        using var fixture = new ModelFixture();
        using var watch = fixture.Model.Watch(includeExisting: false);

        fixture.Model.Create(ResourceKinds.Tenants, new Tenant { Name = "initech" });
        fixture.Model.SetLinkState("e1-c1", adminDown: true);
        fixture.Model.Delete(ResourceKinds.Tenants, "initech");

        Assert.True(watch.Reader.TryRead(out var created));
        Assert.True(watch.Reader.TryRead(out var updated));
        Assert.True(watch.Reader.TryRead(out var deleted));
        Assert.Equal((EventType.Created, "initech", 11ul), (created.Type, created.Tenant.Name, created.Version));
        Assert.Equal((EventType.Updated, "e1-c1", true, 12ul), (updated.Type, updated.Link.Name, updated.Link.AdminDown, updated.Version));
        Assert.Equal((EventType.Deleted, "initech", 13ul), (deleted.Type, deleted.Tenant.Name, deleted.Version));
    }

    [Fact]
    public void A_watch_can_start_with_the_existing_state_in_dependency_order()
    {
        using var fixture = new ModelFixture();
        using var watch = fixture.Model.Watch(includeExisting: true);

        var replay = new List<Event>();
        while (watch.Reader.TryRead(out var change))
        {
            replay.Add(change);
        }

        Assert.All(replay, e => Assert.Equal((EventType.Created, 10ul), (e.Type, e.Version)));
        Assert.Equal(
            [Event.ResourceOneofCase.Edge, Event.ResourceOneofCase.Edge, Event.ResourceOneofCase.CoreNode, Event.ResourceOneofCase.Link, Event.ResourceOneofCase.Link,
             Event.ResourceOneofCase.Tenant, Event.ResourceOneofCase.Tenant, Event.ResourceOneofCase.Network, Event.ResourceOneofCase.AclRule, Event.ResourceOneofCase.Port],
            replay.Select(e => e.ResourceCase));
    }

    [Fact]
    public void A_watch_with_a_limit_that_falls_behind_ends_empty_while_the_model_and_other_watches_go_on()
    {
        using var fixture = new ModelFixture();
        using var limited = fixture.Model.Watch(includeExisting: true, limit: 3);
        using var unlimited = fixture.Model.Watch(includeExisting: false);

        // The replay of 10 objects does not count against the limit; 3 unread changes do not yet either.
        for (var i = 0; i < 3; i++)
        {
            fixture.Model.Create(ResourceKinds.Tenants, new Tenant { Name = $"t{i}" });
        }

        Assert.False(limited.FellBehind);
        fixture.Model.Create(ResourceKinds.Tenants, new Tenant { Name = "t3" });
        fixture.Model.Delete(ResourceKinds.Tenants, "t3");

        Assert.True(limited.FellBehind);
        var kept = new List<Event>();
        while (limited.Reader.TryRead(out var change))
        {
            kept.Add(change);
        }

        Assert.Equal(10, kept.Count);
        Assert.All(kept, e => Assert.Equal(10ul, e.Version));
        Assert.True(limited.Reader.Completion.IsCompleted);
        var seen = new List<ulong>();
        while (unlimited.Reader.TryRead(out var change))
        {
            seen.Add(change.Version);
        }

        Assert.Equal([11ul, 12ul, 13ul, 14ul, 15ul], seen);
    }

    [Fact]
    public void Changes_made_together_reach_watchers_at_once_when_the_last_is_made_each_with_its_version()
    {
        using var fixture = new ModelFixture();
        using var watch = fixture.Model.Watch(includeExisting: false);
        var queuedDuring = new List<int>();

        fixture.Model.Together(model =>
        {
            model.Create(ResourceKinds.Tenants, new Tenant { Name = "initech" });
            queuedDuring.Add(watch.Reader.Count);
            model.Create(ResourceKinds.Networks, new Network { Name = "lan", Tenant = "initech", Ipv4Subnet = "10.9.0.0/24" });
            queuedDuring.Add(watch.Reader.Count);
        });

        Assert.Equal([0, 0], queuedDuring);
        Assert.True(watch.Reader.TryRead(out var tenant));
        Assert.True(watch.Reader.TryRead(out var network));
        Assert.False(watch.Reader.TryRead(out _));
        Assert.Equal((EventType.Created, "initech", 11ul), (tenant.Type, tenant.Tenant.Name, tenant.Version));
        Assert.Equal((EventType.Created, "lan", 12ul), (network.Type, network.Network.Name, network.Version));
    }

    [Fact]
    public void A_refusal_ends_changes_made_together_with_those_before_it_made_and_announced()
    {
        using var fixture = new ModelFixture();
        using var watch = fixture.Model.Watch(includeExisting: false);

        var refused = Assert.Throws<ModelException>(() => fixture.Model.Together(model =>
        {
            model.Create(ResourceKinds.Tenants, new Tenant { Name = "initech" });
            model.Create(ResourceKinds.Tenants, new Tenant { Name = "initech" });
            model.Create(ResourceKinds.Tenants, new Tenant { Name = "never" });
        }));

        Assert.Equal(ModelError.AlreadyExists, refused.Error);
        Assert.Equal(11ul, fixture.Model.Version);
        Assert.True(watch.Reader.TryRead(out var created));
        Assert.Equal("initech", created.Tenant.Name);
        Assert.False(watch.Reader.TryRead(out _));
        Assert.Throws<ModelException>(() => fixture.Model.Get(ResourceKinds.Tenants, "never"));
    }
}
