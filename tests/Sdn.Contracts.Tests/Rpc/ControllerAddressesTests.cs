using Grpc.Core;
using Sdn.Contracts.Rpc;

namespace Sdn.Contracts.Tests.Rpc;

public sealed class ControllerAddressesTests
{
    private static readonly Uri A = new("http://10.0.0.1:6653");
    private static readonly Uri B = new("http://10.0.0.2:6653");
    private static readonly Uri C = new("http://10.0.0.3:6653");

    [Fact]
    public void Parse_takes_commas_and_repeats_alike()
    {
        var commas = ControllerAddresses.Parse(["http://10.0.0.1:6653,http://10.0.0.2:6653", "http://10.0.0.3:6653"], out var error);

        Assert.Null(error);
        Assert.Equal([A, B, C], commas!.All);
        Assert.Equal(A, commas.Current);
    }

    [Fact]
    public void Parse_names_the_address_it_refuses()
    {
        Assert.Null(ControllerAddresses.Parse(["http://10.0.0.1:6653,10.0.0.2:6653"], out var error));
        Assert.Equal("'10.0.0.2:6653' is not a controller address such as http://127.0.0.1:6653 or https://ctl.example:6653", error);
    }

    [Fact]
    public void Advance_goes_to_the_leader_a_follower_names_and_else_round_the_list()
    {
        var addresses = new ControllerAddresses([A, B, C]);
        var refusal = new RpcException(new Status(StatusCode.Unavailable, "this controller follows"), new Metadata { { ControllerAddresses.LeaderTrailer, "http://10.0.0.3:6653" } });

        Assert.False(addresses.Advance(refusal));
        Assert.Equal(C, addresses.Current);
        Assert.True(addresses.Advance(null));
        Assert.Equal(A, addresses.Current);
        Assert.False(addresses.Advance(null));
        Assert.Equal(B, addresses.Current);
    }

    [Fact]
    public void A_follower_refusal_is_an_unavailable_status_with_the_leader_trailer_even_an_empty_one()
    {
        var naming = new RpcException(new Status(StatusCode.Unavailable, "this controller follows"), new Metadata { { ControllerAddresses.LeaderTrailer, "http://10.0.0.3:6653" } });
        var electing = new RpcException(new Status(StatusCode.Unavailable, "this controller follows"), new Metadata { { ControllerAddresses.LeaderTrailer, string.Empty } });
        var unreachable = new RpcException(new Status(StatusCode.Unavailable, "connection refused"));
        var otherFailure = new RpcException(new Status(StatusCode.NotFound, "no such edge"), new Metadata { { ControllerAddresses.LeaderTrailer, "http://10.0.0.3:6653" } });

        Assert.Equal([true, true, false, false], new[] { naming, electing, unreachable, otherFailure }.Select(ControllerAddresses.FollowerRefused));
    }

    [Fact]
    public void A_refusal_while_a_leader_is_elected_moves_round_the_list()
    {
        var addresses = new ControllerAddresses([A, B, C]);
        var electing = new RpcException(new Status(StatusCode.Unavailable, "this controller follows"), new Metadata { { ControllerAddresses.LeaderTrailer, string.Empty } });

        Assert.False(addresses.Advance(electing));
        Assert.Equal(B, addresses.Current);
    }

    [Fact]
    public void A_single_controller_is_always_a_whole_round()
    {
        ControllerAddresses single = A;

        Assert.True(single.Advance(null));
        Assert.Equal(A, single.Current);
    }
}
