using System.Diagnostics;
using System.Globalization;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.EndToEnd.Support;

/// <summary>One TCP transfer of seeded random bytes between two namespaces (tcp_transfer.py), as each end counted and hashed it.</summary>
internal static class TcpTransfer
{
    private static readonly string Script = RepositoryRoot.Combine("tests", "Sdn.EndToEnd", "Support", "tcp_transfer.py");

    /// <summary>Sends <paramref name="bytes"/> from <paramref name="client"/> to a receiver in <paramref name="server"/>; returns each end's "BYTES SHA256".</summary>
    public static async Task<(string Sent, string Received)> RunAsync(NetworkNamespace server, string serverIp, NetworkNamespace client, int bytes)
    {
        using var receiver = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", server.Name, "python3", Script, "receive", serverIp, "5001"])
        {
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.Equal("listening", await receiver.StandardOutput.ReadLineAsync());

            var sent = client.Run("python3", Script, "send", serverIp, "5001", bytes.ToString(CultureInfo.InvariantCulture)).Trim();

            return (sent, (await receiver.StandardOutput.ReadToEndAsync()).Trim());
        }
        finally
        {
            if (!receiver.HasExited)
            {
                receiver.Kill();
            }
        }
    }
}
