using System.Diagnostics;
using Sdn.Common.Interop;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.Cli.Hosting;

/// <summary>
/// Busybox's udhcpc asking for a lease on a device of a namespace, with a script that applies what it gets: the
/// address, the MTU and the default route. It starts at once and retries for a while, because the edge only
/// answers once its program holds the port. Disposing stops it if it still runs.
/// </summary>
internal sealed class DhcpClient : IDisposable
{
    private const string Script = """
        #!/bin/sh
        case "$1" in
          deconfig) ip -4 address flush dev "$interface" ;;
          bound|renew)
            ip -4 address flush dev "$interface"
            ip address add "$ip/$mask" dev "$interface"
            [ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"
            [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
            ;;
        esac
        exit 0

        """;

    private readonly string _scriptPath;
    private readonly Process _process;

    public DhcpClient(NetworkNamespace space, string device)
    {
        _scriptPath = Path.Combine(Path.GetTempPath(), $"sdn-udhcpc-{space.Name}.sh");
        File.WriteAllText(_scriptPath, Script);
        ExternalCommand.Run("chmod", "700", _scriptPath);
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // -f: stay in the foreground so disposing can stop it; -q: quit once bound; -n: give up after -t tries of -T seconds.
        foreach (var argument in (string[])["netns", "exec", space.Name, "busybox", "udhcpc", "-f", "-q", "-n", "-t", "15", "-T", "1", "-O", "mtu", "-i", device, "-s", _scriptPath])
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new HostingException($"could not start udhcpc in namespace {space.Name}; is busybox installed?");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        File.Delete(_scriptPath);
    }
}
