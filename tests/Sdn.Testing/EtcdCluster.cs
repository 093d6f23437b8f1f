using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sdn.Fabric.Controller.Etcd;

namespace Sdn.Testing;

/// <summary>
/// A real etcd cluster (Debian's etcd-server) on loopback: each member with free client and peer ports and a data
/// directory of its own under a temporary directory, with the heartbeat (50 ms) and election timeout (500 ms) that
/// docs/ha.md gives, which etcd's 1 s leases need. Disposing kills every member and deletes the directory.
/// </summary>
public sealed class EtcdCluster : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"sdn-etcd-{Guid.NewGuid():N}");
    private readonly List<Process?> _members = [];
    private readonly List<int> _clientPorts = [];
    private readonly ConcurrentQueue<string> _log = new();

    private EtcdCluster(int members)
    {
        var peerPorts = new List<int>();
        for (var i = 0; i < members; i++)
        {
            _clientPorts.Add(FreePort());
            peerPorts.Add(FreePort());
        }

        var initial = string.Join(',', peerPorts.Select((p, i) => $"m{i}=http://127.0.0.1:{p}"));
        for (var i = 0; i < members; i++)
        {
            var client = $"http://127.0.0.1:{_clientPorts[i]}";
            var peer = $"http://127.0.0.1:{peerPorts[i]}";
            var start = new ProcessStartInfo("etcd")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                ArgumentList =
                {
                    "--name", $"m{i}", "--data-dir", Path.Combine(_directory, $"m{i}"),
                    "--listen-client-urls", client, "--advertise-client-urls", client,
                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                    "--initial-cluster", initial, "--initial-cluster-state", "new", "--initial-cluster-token", Path.GetFileName(_directory),
                    "--heartbeat-interval", "50", "--election-timeout", "500",
                },
            };
            try
            {
                var process = Process.Start(start)!;
                process.ErrorDataReceived += (_, line) => Gather(line.Data);
                process.OutputDataReceived += (_, line) => Gather(line.Data);
                process.BeginErrorReadLine();
                process.BeginOutputReadLine();
                _members.Add(process);
            }
            catch (Win32Exception e)
            {
                Dispose();
                throw new InvalidOperationException($"etcd is missing ({e.Message}): install the Debian package etcd-server, or run ./test.sh, which does", e);
            }
        }

        Address = EtcdAddress.Parse(EtcdAddress.Scheme + string.Join(',', _clientPorts.Select(p => $"127.0.0.1:{p}")));
    }

    public EtcdAddress Address { get; }

    /// <summary>What the members wrote, for a failing test's message.</summary>
    public string Log => string.Join('\n', _log.TakeLast(40));

    /// <summary>
    /// Starts the members and waits until the cluster commits a write. etcd takes the ports it is given, which another
    /// process may have taken since they were free, so a cluster that a member left for that starts again on others.
    /// </summary>
    public static async Task<EtcdCluster> StartAsync(int members = 3)
    {
        const int Attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var cluster = new EtcdCluster(members);
            try
            {
                await cluster.UntilWritableAsync(TimeSpan.FromSeconds(20));
                return cluster;
            }
            catch (InvalidOperationException) when (attempt < Attempts && cluster.Log.Contains("address already in use", StringComparison.Ordinal))
            {
                cluster.Dispose();
            }
            catch
            {
                cluster.Dispose();
                throw;
            }
        }
    }

    /// <summary>Kills member <paramref name="member"/> with SIGKILL, as a lost machine goes.</summary>
    public void Kill(int member)
    {
        if (_members[member] is { } process)
        {
            process.Kill();
            process.WaitForExit();
            process.Dispose();
            _members[member] = null;
        }
    }

    public void Dispose()
    {
        for (var i = 0; i < _members.Count; i++)
        {
            Kill(i);
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task UntilWritableAsync(TimeSpan limit)
    {
        using var etcd = new EtcdConnection(Address);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (_members.FirstOrDefault(m => m is { HasExited: true }) is { } exited)
            {
                exited.WaitForExit(); // until its output is read to the end, for the log
                throw new InvalidOperationException($"an etcd member of {Address} exited with code {exited.ExitCode}:\n{Log}");
            }

            try
            {
                await etcd.Kv.PutAsync(new Etcdserverpb.PutRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8("/sdn-test/ready") }, deadline: DateTime.UtcNow.AddSeconds(2));
                return;
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or OperationCanceledException)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"the etcd cluster at {Address} took no write in {limit.TotalSeconds} s ({e.Message}):\n{Log}", e);
                }

                await Task.Delay(100);
            }
        }
    }

    private void Gather(string? line)
    {
        if (line is not null)
        {
            _log.Enqueue(line);
        }
    }

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public override string ToString() => Address.Text;
}
