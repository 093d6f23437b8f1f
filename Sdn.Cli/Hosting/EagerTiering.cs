using System.Collections;
using Sdn.Common.Interop;

namespace Sdn.Cli.Hosting;

/// <summary>
/// Runs the long-running commands (`sdn up`, `edge`, `core`, `controller`) with the runtime's tiered compiler
/// promoting a method once it is called 256 times, with no start-up delay: DOTNET_TC_CallCountingDelayMs=0 and
/// DOTNET_TC_CallCountThreshold=0x100 (the runtime reads both in hexadecimal).
/// </summary>
/// <remarks>
/// By default the runtime starts counting a method's calls only once 100 ms pass without a method running for the
/// first time, then promotes it after 30 calls. A bring-up keeps running new code, so it runs all of it unoptimised,
/// and the thousands of methods it made hot are compiled again in the seconds after it, when the fabric should be
/// idle. Without the delay they are compiled during the bring-up, on the tiered compiler's own thread; the higher
/// threshold leaves alone the methods that only ran a few dozen times, which halves the extra compiling. Dynamic
/// PGO stays on. The runtime reads these settings only from its environment when it starts (runtimeconfig.json
/// cannot carry them), so a long-running command started without them executes itself again with them, once,
/// keeping its pid, arguments and open files. The short commands start as before: for them the delay is what keeps
/// start-up cheap. A setting already in the environment is the user's and is left as it is.
/// </remarks>
internal static class EagerTiering
{
    /// <summary>Set only for the process this class executes, to the variables it added, which that process takes out again.</summary>
    public const string Marker = "SDN_EAGER_TIERING";

    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DOTNET_TC_CallCountingDelayMs"] = "0",
        ["DOTNET_TC_CallCountThreshold"] = "0x100",
    };

    private static readonly string[] LongRunningCommands = ["up", "edge", "core", "controller"];

    /// <summary>Applies the settings when <paramref name="args"/> name a long-running command; see <see cref="Apply"/>.</summary>
    public static void ApplyFor(IReadOnlyList<string> args)
    {
        if (IsLongRunning(args))
        {
            Apply();
        }
    }

    public static bool IsLongRunning(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Count > 0 && LongRunningCommands.Contains(args[0], StringComparer.Ordinal);
    }

    /// <summary>
    /// Executes this process again with the settings it lacks. In the process that runs with them, takes them out of
    /// what its children get, so that a short `sdn` command started from it keeps its fast start, and returns. If the
    /// exec fails, the process goes on as it is.
    /// </summary>
    public static void Apply()
    {
        if (Environment.GetEnvironmentVariable(Marker) is { } added)
        {
            foreach (var name in added.Split(','))
            {
                Environment.SetEnvironmentVariable(name, null);
            }

            Environment.SetEnvironmentVariable(Marker, null);
            return;
        }

        var missing = Settings.Where(setting => Environment.GetEnvironmentVariable(setting.Key) is null).ToList();
        if (missing.Count == 0 || Environment.ProcessPath is not { } self)
        {
            return;
        }

        // /proc/self/cmdline is the argument vector exactly as this process got it, `dotnet sdn.dll` included, each
        // argument ended by a NUL (an empty last argument too, so only the final NUL is cut).
        var commandLine = File.ReadAllText("/proc/self/cmdline")[..^1].Split('\0');
        var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().Select(entry => $"{entry.Key}={entry.Value}")
            .Concat(missing.Select(setting => $"{setting.Key}={setting.Value}"))
            .Append($"{Marker}={string.Join(',', missing.Select(setting => setting.Key))}");

        // The runtime's diagnostics socket is named after the pid and the process's start time, which the exec keeps:
        // the next runtime can bind that name again (for dotnet-trace and dotnet-counters) only once it is gone.
        var temporary = Path.GetTempPath();
        var sockets = Directory.Exists(temporary) ? Directory.GetFiles(temporary, $"dotnet-diagnostic-{Environment.ProcessId}-*-socket") : [];
        foreach (var socket in sockets)
        {
            File.Delete(socket);
        }

        _ = LibC.Execve(self, [.. commandLine, null], [.. environment, null]);
    }
}
