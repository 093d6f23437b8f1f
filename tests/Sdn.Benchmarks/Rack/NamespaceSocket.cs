using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Sdn.Benchmarks.Rack;

/// <summary>
/// A socket of another network namespace, held by this process. A socket belongs to the namespace of the thread that
/// made it, for its whole life: a short-lived thread enters the namespace (setns), makes the socket and ends, and any
/// thread may then use the socket. So the benchmark drives traffic between the rack's hosts without a process per end.
/// </summary>
internal static partial class NamespaceSocket
{
    private const int CloneNewNet = 0x4000_0000;

    /// <summary>An IPv4 UDP socket in the namespace named <paramref name="space"/> (as `ip netns` names it).</summary>
    /// <exception cref="IOException">The namespace does not exist, or entering it was refused.</exception>
    public static Socket Udp(string space)
    {
        Socket? socket = null;
        Exception? failure = null;
        var maker = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(Path.Combine("/run/netns", space));
                if (SetNs(handle.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
                {
                    throw new IOException($"cannot enter network namespace {space}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}; run as root");
                }

                socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SocketException)
            {
                failure = e;
            }
        })
        {
            Name = $"setns {space}",
        };
        maker.Start();
        maker.Join();
        return socket ?? throw new IOException($"no UDP socket in network namespace {space}: {failure?.Message}", failure);
    }

    [LibraryImport("libc.so.6", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int namespaceType);
}
