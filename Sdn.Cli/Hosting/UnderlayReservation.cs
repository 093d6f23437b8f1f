using System.Net;
using System.Net.Sockets;
using Sdn.Fabric.Core.Links;

namespace Sdn.Cli.Hosting;

/// <summary>
/// A loopback address whose UDP port 6635 this process holds for one link end. While the end does not run (its peer
/// already sends to the address, or the end is being remade) a placeholder socket keeps the port, so no other fabric
/// takes the address in between; the end takes that very socket over as its receiver, so the port is never free
/// while it starts.
/// </summary>
internal sealed class UnderlayReservation : IDisposable
{
    private Socket? _placeholder;

    private UnderlayReservation(IPEndPoint endPoint, Socket placeholder)
    {
        EndPoint = endPoint;
        _placeholder = placeholder;
    }

    /// <summary>The address, on port 6635.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The reservation of <paramref name="address"/>, or null when someone else holds its port 6635.</summary>
    public static UnderlayReservation? TryHold(IPAddress address)
    {
        var endPoint = new IPEndPoint(address, MplsInUdpLink.UdpPort);
        return TryBind(endPoint) is { } placeholder ? new UnderlayReservation(endPoint, placeholder) : null;
    }

    /// <summary>
    /// The socket that holds the port, for the link end to receive on; the end owns it from now on. Null when the
    /// port is already handed over.
    /// </summary>
    public Socket? HandOver()
    {
        var socket = _placeholder;
        _placeholder = null;
        return socket;
    }

    /// <summary>Holds the port again once the link end has let it go; false when someone else took it in between.</summary>
    public bool TryTakeBack()
    {
        _placeholder ??= TryBind(EndPoint);
        return _placeholder is not null;
    }

    public void Dispose() => HandOver()?.Dispose();

    private static Socket? TryBind(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(endPoint);
            return socket;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            return null;
        }
    }
}
