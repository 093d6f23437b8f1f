using System.Diagnostics;
using System.Globalization;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.EndToEnd.Support;

/// <summary>conntrack_probe.py in a namespace: one mode per run, each printing what happened (its docstring lists them).</summary>
internal static class ConnectionProbe
{
    private static readonly string Script = RepositoryRoot.Combine("tests", "Sdn.EndToEnd", "Support", "conntrack_probe.py");

    /// <summary>Runs a mode to its end and returns the line it printed.</summary>
    public static string Run(NetworkNamespace where, string mode, string address, int port, params string[] more) =>
        where.Run("python3", [Script, mode, address, port.ToString(CultureInfo.InvariantCulture), .. more]).Trim();

    /// <summary>Starts a mode that goes on (a listener), its output redirected; the caller waits for its lines and ends it.</summary>
    public static Process Start(NetworkNamespace where, string mode, string address, int port, params string[] more) =>
        Process.Start(new ProcessStartInfo("ip", ["netns", "exec", where.Name, "python3", Script, mode, address, port.ToString(CultureInfo.InvariantCulture), .. more])
        {
            RedirectStandardOutput = true,
        })!;
}
