using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Sdn.Testing;

/// <summary>
/// A real `sdn controller` process on a loopback port the kernel picks, with its output gathered as it comes.
/// <see cref="Kill"/> ends it with SIGKILL, as a machine that dies; disposing kills it too.
/// </summary>
public sealed partial class ControllerProcess : IDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Process _process;

    private ControllerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, line) => Gather(line.Data);
        _process.ErrorDataReceived += (_, line) => Gather(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The address it serves on, as its "serving on" line gave it.</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1:0");

    public string Output => string.Join('\n', _lines);

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts one and waits until it serves; throws with its output if it ends or takes longer than
    /// <paramref name="limit"/>. It listens on port 0, so no other process can take its port between a pick and its bind.
    /// </summary>
    /// <param name="arguments">What follows `sdn controller --listen 127.0.0.1:0`, such as --store.</param>
    public static async Task<ControllerProcess> StartAsync(TimeSpan limit, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "sdn.dll"), "controller", "--listen", "127.0.0.1:0", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var controller = new ControllerProcess(Process.Start(start)!);
        try
        {
            await controller.UntilServingAsync(limit);
            return controller;
        }
        catch
        {
            controller.Dispose();
            throw;
        }
    }

    private async Task UntilServingAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        var serving = ServingLine().Match(Output);
        while (!serving.Success)
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"sdn controller did not serve within {limit.TotalSeconds} s:\n{Output}");
            }

            await Task.Delay(50);
            serving = ServingLine().Match(Output);
        }

        Address = new Uri(serving.Groups[1].Value);
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

    [GeneratedRegex(@"sdn controller: serving on (\S+) ")]
    private static partial Regex ServingLine();
}
