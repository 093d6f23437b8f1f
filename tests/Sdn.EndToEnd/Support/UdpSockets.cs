using System.Globalization;
using System.Net;

namespace Sdn.EndToEnd.Support;

/// <summary>The UDP sockets a process holds, as the kernel lists them (what `ss -uanp` shows): /proc/net/udp, joined to the process's descriptors.</summary>
internal static class UdpSockets
{
    /// <summary>The local addresses of the IPv4 UDP sockets process <paramref name="pid"/> has bound to <paramref name="port"/>.</summary>
    public static HashSet<IPEndPoint> BoundTo(int port, int pid)
    {
        var inodes = Directory.GetFiles($"/proc/{pid}/fd").Select(SocketInode).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return File.ReadLines("/proc/net/udp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => inodes.Contains(fields[9]))
            .Select(fields => LocalEndPoint(fields[1]))
            .Where(endPoint => endPoint.Port == port)
            .ToHashSet();
    }

    /// <summary>The inode of the socket descriptor <paramref name="fd"/> ("socket:[INODE]"); null for another kind, or a descriptor closed meanwhile.</summary>
    private static string? SocketInode(string fd)
    {
        try
        {
            return new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal) ? target[8..^1] : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>"0100007F:19EB": the address as the kernel's 32-bit word in host (little-endian) order, then the port.</summary>
    private static IPEndPoint LocalEndPoint(string field)
    {
        var (address, port) = (field[..8], field[9..]);
        return new IPEndPoint(
            new IPAddress(BitConverter.GetBytes(uint.Parse(address, NumberStyles.HexNumber, CultureInfo.InvariantCulture))),
            int.Parse(port, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }
}
