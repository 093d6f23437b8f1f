using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Sdn.Cli.Commands;

/// <summary>
/// `-d` of the long-running commands (`sdn up`, `sdn edge`, `sdn core`): runs the same command without -d in a
/// session of its own, its output in a log file, echoes that output until the command says it runs, then returns.
/// SIGTERM to the pid it prints (or `sdn down`, for `sdn up`) stops it.
/// </summary>
internal static class Detached
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(2);

    /// <summary>Adds each of <paramref name="options"/> that was given to the command line to run again, with its file's full path.</summary>
    public static void AddFiles(List<string> arguments, ParseResult parse, params Option<FileInfo?>[] options)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(parse);
        foreach (var option in options)
        {
            if (parse.GetValue(option) is { } given)
            {
                arguments.AddRange(option.Name, given.FullName);
            }
        }
    }

    /// <param name="arguments">The command line to run, without -d.</param>
    /// <param name="title">What the command calls itself at the start of its lines, such as "sdn up".</param>
    /// <param name="logName">The log file's name, before its time stamp.</param>
    /// <param name="howToStop">The last line to print, from the output so far, the log's path and the pid.</param>
    public static async Task<int> RunAsync(
        IReadOnlyList<string> arguments, string title, string logName, Func<string, string, string, string> howToStop, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(howToStop);
        ArgumentNullException.ThrowIfNull(output);
        var log = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"{logName}-{DateTime.UtcNow:yyyyMMddHHmmss}.log"));
        var self = Environment.ProcessPath!;
        // Under `dotnet sdn.dll` the process is dotnet itself, which needs the assembly again.
        string[] command = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [self, typeof(Detached).Assembly.Location] : [self];
        var start = new ProcessStartInfo("sh", ["-c", "exec setsid \"$@\" > \"$SDN_LOG\" 2>&1 < /dev/null", "sh", .. command, .. arguments]);
        start.Environment["SDN_LOG"] = log;
        using var child = Process.Start(start)!;

        var shown = 0;
        var deadline = DateTime.UtcNow + StartLimit;
        var runningAs = new Regex($@"^{Regex.Escape(title)}: .*running as pid (\d+)", RegexOptions.Multiline, TimeSpan.FromSeconds(1));
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            var text = File.Exists(log) ? await File.ReadAllTextAsync(log, cancellationToken).ConfigureAwait(false) : string.Empty;
            await output.WriteAsync(text[shown..]).ConfigureAwait(false);
            shown = text.Length;
            if (runningAs.Match(text) is { Success: true } running)
            {
                await output.WriteLineAsync($"{title}: detached; log in {log}; {howToStop(text, log, running.Groups[1].Value)}").ConfigureAwait(false);
                return 0;
            }

            if (child.HasExited)
            {
                return child.ExitCode;
            }
        }

        await output.WriteLineAsync($"{title}: not running after {StartLimit.TotalMinutes} minutes; see {log}").ConfigureAwait(false);
        return 1;
    }
}
