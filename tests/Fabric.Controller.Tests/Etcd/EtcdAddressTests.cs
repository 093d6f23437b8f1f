using Sdn.Fabric.Controller.Etcd;

namespace Sdn.Fabric.Controller.Tests.Etcd;

public sealed class EtcdAddressTests
{
    [Fact]
    public void Each_member_becomes_an_http_url()
    {
        var address = EtcdAddress.Parse("etcd://10.0.0.1:2379,etcd-2.example:2379,[fd00::3]:2379");

        Assert.Equal(["http://10.0.0.1:2379/", "http://etcd-2.example:2379/", "http://[fd00::3]:2379/"], address.Members.Select(m => m.ToString()));
        Assert.Equal("http://10.0.0.1:2379,http://etcd-2.example:2379,http://[fd00::3]:2379", address.ConnectionString);
    }

    [Theory]
    [InlineData("10.0.0.1:2379", "'10.0.0.1:2379' is not an etcd store: write etcd://HOST:PORT[,HOST:PORT...]")]
    [InlineData("etcd://10.0.0.1", "'10.0.0.1' in etcd://10.0.0.1 is not an etcd member's HOST:PORT")]
    [InlineData("etcd://10.0.0.1:2379,", "'' in etcd://10.0.0.1:2379, is not an etcd member's HOST:PORT")]
    [InlineData("etcd://10.0.0.1:2379/sdn", "'10.0.0.1:2379/sdn' in etcd://10.0.0.1:2379/sdn is not an etcd member's HOST:PORT")]
    [InlineData("etcd://user@10.0.0.1:2379", "'user@10.0.0.1:2379' in etcd://user@10.0.0.1:2379 is not an etcd member's HOST:PORT")]
    public void A_malformed_address_says_which_part_is_wrong(string text, string message)
    {
        var refused = Assert.Throws<FormatException>(() => EtcdAddress.Parse(text));

        Assert.StartsWith(message, refused.Message, StringComparison.Ordinal);
    }
}
