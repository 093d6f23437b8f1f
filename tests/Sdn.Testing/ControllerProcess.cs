using System.Collections.Concurrent;
using System.Diagnostics;

namespace Sdn.Testing;

/// <summary>
/// A real `sdn controller` process on a free loopback port, with its output gathered as it comes. <see cref="Kill"/>
/// ends it with SIGKILL, as a machine that dies; disposing kills it too.
/// </summary>
public sealed class ControllerProcess : IDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Process _process;

    private ControllerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        _process.OutputDataReceived += (_, line) => Gather(line.Data);
        _process.ErrorDataReceived += (_, line) => Gather(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    public string Output => string.Join('\n', _lines);

    public bool HasExited => _process.HasExited;

    /// <param name="arguments">What follows `sdn controller --listen 127.0.0.1:PORT`, such as --store.</param>
    public static ControllerProcess Start(params string[] arguments)
    {
        var port = EtcdCluster.FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "sdn.dll"), "controller", "--listen", $"127.0.0.1:{port}", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return new ControllerProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>Waits until it says it serves; throws with its output if it ends or takes longer than <paramref name="limit"/>.</summary>
    public async Task UntilServingAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!Output.Contains("sdn controller: serving on", StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"sdn controller at {Address} did not serve within {limit.TotalSeconds} s:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Gather(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }
}
