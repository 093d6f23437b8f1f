using System.Net;
using System.Net.Sockets;
using Sdn.Common.Polling;

namespace Sdn.Common.Tests.Polling;

/// <summary>A busy owner's one poll() a round, which tells its ports which reads would find nothing.</summary>
public sealed class DoorbellSurveyTests : IDisposable
{
    private readonly Doorbell _doorbell = new();
    private readonly Socket _filled = BoundSocket();
    private readonly Socket _empty = BoundSocket();

    public void Dispose()
    {
        _filled.Dispose();
        _empty.Dispose();
    }

    [Fact]
    public void A_survey_finds_quiet_only_the_descriptors_with_nothing_to_read_and_says_so_once()
    {
        var filled = Watched(_filled);
        var empty = Watched(_empty);
        Fill(_filled);

        _doorbell.Survey();

        Assert.False(filled.TakeFoundQuiet());
        Assert.True(empty.TakeFoundQuiet());
        Assert.False(empty.TakeFoundQuiet());
    }

    [Fact]
    public void Each_survey_answers_anew()
    {
        var filled = Watched(_filled);
        var empty = Watched(_empty);
        _doorbell.Survey();
        Fill(_empty);

        _doorbell.Survey();

        Assert.True(filled.TakeFoundQuiet());
        Assert.False(empty.TakeFoundQuiet());
    }

    [Fact]
    public void With_one_descriptor_a_survey_asks_nothing_and_finds_nothing_quiet()
    {
        var empty = Watched(_empty);

        _doorbell.Survey();

        Assert.False(empty.TakeFoundQuiet());
    }

    [Fact]
    public void A_descriptor_moved_off_the_doorbell_forgets_what_the_survey_found()
    {
        Watched(_filled);
        var empty = Watched(_empty);
        _doorbell.Survey();

        empty.WakeOn(null);

        Assert.False(empty.TakeFoundQuiet());
    }

    private static Socket BoundSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static void Fill(Socket socket)
    {
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.SendTo([1, 2, 3], socket.LocalEndPoint!);
        Assert.True(socket.Poll(TimeSpan.FromSeconds(1), SelectMode.SelectRead));
    }

    private WatchedDescriptor Watched(Socket socket)
    {
        var descriptor = new WatchedDescriptor((int)socket.Handle);
        descriptor.WakeOn(_doorbell);
        return descriptor;
    }
}
