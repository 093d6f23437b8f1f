using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Sdn.Cli.Commands;

/// <summary>
/// `sdn up -d`: runs the same `sdn up` (without -d) in a session of its own, its output in a log file, echoes
/// that output until the fabric is up, then returns. `sdn down` (or SIGTERM to the pid it prints) tears the fabric down.
/// </summary>
internal static partial class DetachedUp
{
    private static readonly TimeSpan BringUpLimit = TimeSpan.FromMinutes(2);

    /// <param name="upArguments">The `up` command line to run, without -d.</param>
    public static async Task<int> RunAsync(IReadOnlyList<string> upArguments, string topologyName, TextWriter output, CancellationToken cancellationToken)
    {
        var log = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"sdn-up-{topologyName}-{DateTime.UtcNow:yyyyMMddHHmmss}.log"));
        var self = Environment.ProcessPath!;
        // Under `dotnet sdn.dll` the process is dotnet itself, which needs the assembly again.
        string[] command = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [self, typeof(DetachedUp).Assembly.Location] : [self];
        var start = new ProcessStartInfo("sh", ["-c", "exec setsid \"$@\" > \"$SDN_UP_LOG\" 2>&1 < /dev/null", "sh", .. command, .. upArguments]);
        start.Environment["SDN_UP_LOG"] = log;
        using var child = Process.Start(start)!;

        var shown = 0;
        var deadline = DateTime.UtcNow + BringUpLimit;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            var text = File.Exists(log) ? await File.ReadAllTextAsync(log, cancellationToken).ConfigureAwait(false) : string.Empty;
            await output.WriteAsync(text[shown..]).ConfigureAwait(false);
            shown = text.Length;
            if (RunningAs().Match(text) is { Success: true } running)
            {
                await output.WriteLineAsync(
                    $"sdn up: detached; log in {log}; tear it down with `sdn down --controller {ServingOn().Match(text).Groups[1].Value}` or `kill {running.Groups[1].Value}`").ConfigureAwait(false);
                return 0;
            }

            if (child.HasExited)
            {
                return child.ExitCode;
            }
        }

        await output.WriteLineAsync($"sdn up: not up after {BringUpLimit.TotalMinutes} minutes; see {log}").ConfigureAwait(false);
        return 1;
    }

    [GeneratedRegex(@"sdn up: running as pid (\d+)")]
    private static partial Regex RunningAs();

    [GeneratedRegex(@"sdn up: controller: serving on (\S+),")]
    private static partial Regex ServingOn();
}
