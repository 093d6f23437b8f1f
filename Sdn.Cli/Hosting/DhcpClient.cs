using System.Diagnostics;
using Sdn.Common.Interop;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.Cli.Hosting;

/// <summary>
/// Busybox's udhcpc asking for a lease on a device of a namespace, with a script that applies what it gets: the
/// address, the MTU, the default route, and the DNS servers into the namespace's own resolv.conf
/// (/etc/netns/NAME/resolv.conf, which `ip netns exec` shows its commands as /etc/resolv.conf). It starts at once and
/// retries for a while, because the edge only answers once its program holds the port. Disposing stops it if it still
/// runs, and removes that resolv.conf.
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
            if [ -n "$dns" ]; then
              mkdir -p "NAMESPACE_ETC"
              for server in $dns; do echo "nameserver $server"; done > "NAMESPACE_ETC/resolv.conf"
            fi
            ;;
        esac
        exit 0

        """;

    private readonly string _scriptPath;
    private readonly string _namespaceEtc;
    private readonly Process _process;

    public DhcpClient(NetworkNamespace space, string device)
    {
        _scriptPath = Path.Combine(Path.GetTempPath(), $"sdn-udhcpc-{space.Name}.sh");
        _namespaceEtc = Path.Combine("/etc/netns", space.Name);
        File.WriteAllText(_scriptPath, Script.Replace("NAMESPACE_ETC", _namespaceEtc, StringComparison.Ordinal));
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
        File.Delete(Path.Combine(_namespaceEtc, "resolv.conf"));
        if (Directory.Exists(_namespaceEtc) && !Directory.EnumerateFileSystemEntries(_namespaceEtc).Any())
        {
            Directory.Delete(_namespaceEtc);
        }
    }
}
