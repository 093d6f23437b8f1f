using System.Diagnostics;
using Sdn.Common.Interop;

namespace Sdn.Benchmarks.EndToEnd;

/// <summary>
/// Debian's Open vSwitch as the peer of the e2e benchmark: installed with apt-get when missing, and its daemons
/// (ovsdb-server, ovs-vswitchd) started when not running. Disposing stops the daemons only if this started them.
/// </summary>
internal sealed class OpenVswitch : IDisposable
{
    private const string Package = "openvswitch-switch";
    private const string ControlScript = "/usr/share/openvswitch/scripts/ovs-ctl";

    private readonly bool _startedDaemons;

    private OpenVswitch(bool startedDaemons) => this._startedDaemons = startedDaemons;

    /// <exception cref="ExternalCommandException">apt-get, ovs-ctl or ovs-vsctl failed.</exception>
    public static OpenVswitch Start(Action<string> progress)
    {
        if (!IsInstalled())
        {
            progress($"e2e: installing {Package} with apt-get (the OVS peer of the iperf figures)");
            Install();
        }

        if (DaemonsAnswer())
        {
            return new OpenVswitch(startedDaemons: false);
        }

        progress("e2e: starting ovsdb-server and ovs-vswitchd");
        ExternalCommand.Run(ControlScript, "start", "--system-id=random", "--no-monitor");
        return new OpenVswitch(startedDaemons: true);
    }

    /// <summary>Runs ovs-vsctl with a timeout, so a wedged daemon fails the benchmark instead of hanging it.</summary>
    public static string Vsctl(params string[] arguments) => ExternalCommand.Run("ovs-vsctl", ["--timeout=10", .. arguments]);

    public void Dispose()
    {
        if (_startedDaemons)
        {
            ExternalCommand.Run(ControlScript, "stop");
        }
    }

    private static bool IsInstalled()
    {
        try
        {
            return ExternalCommand.Run("dpkg-query", "-W", "-f=${Status}", Package).Contains("install ok installed", StringComparison.Ordinal);
        }
        catch (ExternalCommandException)
        {
            return false;
        }
    }

    private static void Install()
    {
        var environment = new Dictionary<string, string?> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        RunLong(environment, "apt-get", "update", "-qq");
        RunLong(environment, "apt-get", "install", "-y", "-qq", "--no-install-recommends", Package);
    }

    /// <summary>apt-get can take minutes, longer than <see cref="ExternalCommand"/> allows, so it runs here with its output passed through to stderr.</summary>
    private static void RunLong(Dictionary<string, string?> environment, string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new ExternalCommandException($"could not start {fileName}");
        process.OutputDataReceived += (_, line) => Console.Error.WriteLine(line.Data);
        process.BeginOutputReadLine();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new ExternalCommandException($"{fileName} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}");
        }
    }

    private static bool DaemonsAnswer()
    {
        try
        {
            ExternalCommand.Run("ovs-vsctl", "--timeout=2", "show");
            return true;
        }
        catch (ExternalCommandException)
        {
            return false;
        }
    }
}
