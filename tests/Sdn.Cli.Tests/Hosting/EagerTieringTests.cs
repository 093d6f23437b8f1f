using System.Diagnostics;
using System.Text.RegularExpressions;
using Sdn.Cli.Hosting;

namespace Sdn.Cli.Tests.Hosting;

public class EagerTieringTests
{
    private const string Delay = "DOTNET_TC_CallCountingDelayMs";
    private const string Threshold = "DOTNET_TC_CallCountThreshold";

    [Fact]
    public void Only_the_long_running_commands_are_executed_again()
    {
        Assert.All(new[] { "up", "edge", "core", "controller" }, command => Assert.True(EagerTiering.IsLongRunning([command, "--help"])));
        Assert.All(new[] { "validate", "status", "ping", "down", "--version" }, command => Assert.False(EagerTiering.IsLongRunning([command])));
        Assert.False(EagerTiering.IsLongRunning([]));
    }

    [Fact]
    public async Task Sdn_controller_runs_with_the_settings_under_the_pid_and_environment_it_was_started_with()
    {
        // rack.sh tells its processes by a tag in /proc/PID/environ, so the exec must keep every variable.
        var environment = await RunningControllerEnvironmentAsync(new Dictionary<string, string> { ["SDN_RACK_PROCESS"] = "/tmp/rack/c1" });

        Assert.Equal("0", environment[Delay]);
        Assert.Equal("0x100", environment[Threshold]);
        Assert.Equal($"{Delay},{Threshold}", environment[EagerTiering.Marker]);
        Assert.Equal("/tmp/rack/c1", environment["SDN_RACK_PROCESS"]);
    }

    [Fact]
    public async Task A_setting_already_in_the_environment_is_kept()
    {
        var environment = await RunningControllerEnvironmentAsync(new Dictionary<string, string> { [Threshold] = "0x1E" });

        Assert.Equal("0", environment[Delay]);
        Assert.Equal("0x1E", environment[Threshold]);
        Assert.Equal(Delay, environment[EagerTiering.Marker]);
    }

    [Fact]
    public async Task With_every_setting_given_it_is_not_executed_again()
    {
        var environment = await RunningControllerEnvironmentAsync(new Dictionary<string, string> { [Delay] = "0x64", [Threshold] = "0x1E" });

        Assert.Equal("0x64", environment[Delay]);
        Assert.False(environment.ContainsKey(EagerTiering.Marker));
    }

    /// <summary>
    /// Starts the real `sdn controller` with <paramref name="given"/> in its environment and returns the environment it
    /// runs with, as the kernel shows it; checks that the pid it prints is the one started, which an exec keeps.
    /// </summary>
    private static async Task<Dictionary<string, string>> RunningControllerEnvironmentAsync(Dictionary<string, string> given)
    {
        var stateDirectory = Path.Combine(Path.GetTempPath(), "sdn-tiering-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "sdn.dll"), "controller", "--listen", "127.0.0.1:0", "--state-dir", stateDirectory])
        {
            RedirectStandardOutput = true,
        };
        start.Environment.Remove(Delay);
        start.Environment.Remove(Threshold);
        start.Environment.Remove(EagerTiering.Marker);
        foreach (var (name, value) in given)
        {
            start.Environment[name] = value;
        }

        using var controller = Process.Start(start)!;
        try
        {
            var line = await controller.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))
                ?? throw new InvalidOperationException("sdn controller exited without saying where it serves");
            var pid = Regex.Match(line, @"running as pid (\d+)", RegexOptions.None, TimeSpan.FromSeconds(1));
            Assert.True(pid.Success, line);
            Assert.Equal(controller.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), pid.Groups[1].Value);
            return (await File.ReadAllTextAsync($"/proc/{controller.Id}/environ")).Split('\0', StringSplitOptions.RemoveEmptyEntries)
                .Select(entry => entry.Split('=', 2))
                .ToDictionary(entry => entry[0], entry => entry[1], StringComparer.Ordinal);
        }
        finally
        {
            controller.Kill();
            await controller.WaitForExitAsync();
            if (Directory.Exists(stateDirectory))
            {
                Directory.Delete(stateDirectory, recursive: true);
            }
        }
    }
}
