using System.Globalization;
using System.Text.Json;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.Testing;

/// <summary>One iperf3 TCP stream from a client namespace to a server namespace, as the receiver counted it.</summary>
public static class Iperf3
{
    /// <summary>Runs a one-off server in <paramref name="server"/> on <paramref name="serverIp"/> and a client in <paramref name="client"/>; returns Gbit/s.</summary>
    /// <exception cref="Common.Interop.ExternalCommandException">The client could not connect within 3 s, or failed.</exception>
    public static double Gbps(NetworkNamespace server, string serverIp, NetworkNamespace client, int seconds, int port = 5201)
    {
        var pidFile = Path.Combine(Path.GetTempPath(), $"sdn-iperf-{Guid.NewGuid():N}.pid");
        var portText = port.ToString(CultureInfo.InvariantCulture);
        server.Run("iperf3", "--server", "--one-off", "--daemon", "--bind", serverIp, "--port", portText, "--pidfile", pidFile);
        try
        {
            UntilListening(server, portText);
            var report = client.Run(
                "iperf3", "--client", serverIp, "--port", portText, "--time", seconds.ToString(CultureInfo.InvariantCulture), "--connect-timeout", "3000", "--json");
            using var document = JsonDocument.Parse(report);
            if (document.RootElement.TryGetProperty("error", out var error))
            {
                throw new Common.Interop.ExternalCommandException($"iperf3 to {serverIp} port {port} failed: {error.GetString()}");
            }

            return document.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble() / 1e9;
        }
        finally
        {
            StopServer(pidFile);
        }
    }

    /// <summary>A daemonized server returns before it listens; a client that came first would be refused.</summary>
    private static void UntilListening(NetworkNamespace server, string port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (server.Run("ss", "--no-header", "--listening", "--tcp", $"sport = :{port}").Length == 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }
    }

    /// <summary>A one-off server exits after its test; this one is killed in case the test never came.</summary>
    private static void StopServer(string pidFile)
    {
        string text;
        try
        {
            text = File.ReadAllText(pidFile);
        }
        catch (FileNotFoundException)
        {
            // The server has exited and removed its pid file, which it may do at any moment after the test.
            return;
        }

        if (int.TryParse(text.Trim('\0', ' ', '\n'), out var pid))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
            }
            catch (ArgumentException)
            {
                // It has exited already.
            }
        }

        File.Delete(pidFile);
    }
}
