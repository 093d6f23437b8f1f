using System.Diagnostics;
using System.Globalization;

namespace Sdn.Testing;

/// <summary>
/// The rack of rack/rack.sh, as tests and benchmarks drive it: machines that are network namespaces on a veth
/// underlay, a controller, and an `sdn edge` or `sdn core` process per node, all running this build. Each rack takes
/// namespace names, an address range, a state directory and host names of its own, so it never meets a user's rack
/// or another test's fabric. Disposing tears it all down.
/// </summary>
public sealed class Rack : IDisposable
{
    private static int s_lastRack = Random.Shared.Next(200);

    private readonly Dictionary<string, string> _environment;

    private Rack(int number)
    {
        Subnet = $"10.77.{50 + number}";
        HostPrefix = $"r{number:x2}-";
        Directory = Path.Combine(Path.GetTempPath(), $"sdn-rack-{number}-{Guid.NewGuid():N}");
        _environment = new()
        {
            ["SDN_RACK_PREFIX"] = $"sdnt{number}-",
            ["SDN_RACK_NET"] = Subnet,
            ["SDN_RACK_DIR"] = Directory,
            ["SDN_RACK_HOST_PREFIX"] = HostPrefix,
            ["SDN_RACK_SDN"] = $"dotnet {Path.Combine(AppContext.BaseDirectory, "sdn.dll")}",
        };
    }

    /// <summary>The first three octets of the rack's underlay /24.</summary>
    public string Subnet { get; }

    /// <summary>What the edges put before each host's name to name its namespace.</summary>
    public string HostPrefix { get; }

    /// <summary>The state directory: tokens, logs, pids.</summary>
    public string Directory { get; }

    public string Controller => $"http://{Subnet}.1:6653";

    /// <summary>Brings the rack up with <paramref name="topology"/> applied, from rack/rack.sh up.</summary>
    public static Rack Up(string topology)
    {
        var rack = new Rack(Interlocked.Increment(ref s_lastRack) % 200);
        try
        {
            rack.Run("up", topology);
            return rack;
        }
        catch
        {
            rack.Dispose();
            throw;
        }
    }

    /// <summary>Runs `rack.sh ARGUMENTS`; returns its standard output, or throws with everything it printed when it fails.</summary>
    public string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(RepositoryRoot.Combine("rack", "rack.sh"), arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? output
            : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"rack.sh {string.Join(' ', arguments)} exited {process.ExitCode}:\n{output}{error.Result}"));
    }

    /// <summary>Runs a command on a machine of the rack (ctl, hv1 ... core2).</summary>
    public string Exec(string machine, params string[] command) => Run(["exec", machine, .. command]);

    /// <summary>Runs `sdn ARGUMENTS` on the ctl machine against the rack's controller, with the operator's token.</summary>
    public string Sdn(params string[] arguments) =>
        Exec("ctl", ["dotnet", Path.Combine(AppContext.BaseDirectory, "sdn.dll"), .. arguments, "--controller", Controller, "--token-file", Path.Combine(Directory, "tokens")]);

    /// <summary>The last lines of every process's log, for a failure's message.</summary>
    public string LogTails(int lines = 15) => string.Join(
        '\n',
        System.IO.Directory.GetFiles(Directory, "*.log").Order(StringComparer.Ordinal)
            .Select(log => $"--- {Path.GetFileName(log)}\n{string.Join('\n', File.ReadLines(log).TakeLast(lines))}"));

    public void Dispose() => Run("down");
}
