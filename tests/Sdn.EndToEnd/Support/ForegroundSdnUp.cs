using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Sdn.EndToEnd.Support;

/// <summary>
/// The real `sdn up FILE --listen 127.0.0.1:0` in the foreground, read until the fabric is up: what it printed so far,
/// its controller's address, and its standard error, read to the end as it goes. Disposing kills it if it still runs.
/// </summary>
internal sealed partial class ForegroundSdnUp : IDisposable
{
    private ForegroundSdnUp(Process process)
    {
        Process = process;
        Errors = process.StandardError.ReadToEndAsync();
    }

    public Process Process { get; }

    /// <summary>Standard output up to the line saying the fabric runs.</summary>
    public string Log { get; private set; } = "";

    public Uri Controller { get; private set; } = null!;

    /// <summary>Standard error, whole once the process has ended.</summary>
    public Task<string> Errors { get; }

    /// <param name="under">A command to run `dotnet sdn.dll up ...` under, such as `unshare --mount`; none by default.</param>
    public static async Task<ForegroundSdnUp> StartAsync(string file, params string[] under)
    {
        string[] command = [.. under, "dotnet", Path.Combine(AppContext.BaseDirectory, "sdn.dll"), "up", file, "--listen", "127.0.0.1:0"];
        var up = new ForegroundSdnUp(Process.Start(new ProcessStartInfo(command[0], command[1..]) { RedirectStandardOutput = true, RedirectStandardError = true })!);
        try
        {
            await up.ReadUntilUpAsync();
            return up;
        }
        catch
        {
            up.Dispose();
            throw;
        }
    }

    /// <summary>Waits until `sdn up` has torn the fabric down and ended; returns its exit code and the rest of its standard output (after <see cref="Log"/>).</summary>
    public (int Exit, string Output) WaitForExit()
    {
        Assert.True(Process.WaitForExit(TimeSpan.FromSeconds(30)), "sdn up did not stop");
        return (Process.ExitCode, Process.StandardOutput.ReadToEnd());
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill();
            Process.WaitForExit();
        }

        Process.Dispose();
    }

    private async Task ReadUntilUpAsync()
    {
        var output = new List<string>();
        while (await Process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is { } line)
        {
            output.Add(line);
            if (line.Contains("press Ctrl-C", StringComparison.Ordinal))
            {
                Log = string.Join('\n', output);
                Controller = new Uri(Serving().Match(Log).Groups[1].Value);
                return;
            }
        }

        throw new InvalidOperationException($"sdn up ended before the fabric was up:\n{string.Join('\n', output)}\n{await Errors}");
    }

    [GeneratedRegex(@"controller: serving on (\S+),")]
    private static partial Regex Serving();
}
