using System.Collections.Concurrent;
using System.Diagnostics;

namespace Sdn.EndToEnd.Support;

/// <summary>
/// A real `sdn edge` or `sdn core` process, its output gathered as it comes. Disposing stops it as SIGTERM does, and
/// kills it if it has not stopped within 20 s.
/// </summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Process _process;

    private NodeProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, line) => Gather(line.Data);
        _process.ErrorDataReceived += (_, line) => Gather(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output => string.Join('\n', _lines);

    /// <param name="verb">edge or core.</param>
    /// <param name="arguments">What follows `sdn VERB`: --name, --controller, --underlay and the rest.</param>
    public static NodeProcess Start(string verb, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "sdn.dll"), verb, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return new NodeProcess(Process.Start(start)!);
    }

    /// <summary>Stops it with SIGTERM and waits for it to end; returns its exit code.</summary>
    public int Stop()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                _process.Kill();
            }
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        Stop();
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
