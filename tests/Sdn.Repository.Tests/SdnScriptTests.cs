using System.Diagnostics;
using System.Runtime.Versioning;

namespace Sdn.Repository.Tests;

/// <summary>
/// The `sdn` script's check for the Debian packages a running fabric or the build needs. The script runs from a copy of the
/// checkout whose build is fresh, with dpkg-query, apt-get, id and dotnet on PATH replaced by scripts that answer as
/// the case needs and record how they were called, so nothing is installed and nothing is built.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SdnScriptTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"sdn-script-{Guid.NewGuid():N}");

    public SdnScriptTests()
    {
        var tools = Directory.CreateDirectory(Path.Combine(_root, "tools")).FullName;
        var release = Directory.CreateDirectory(Path.Combine(_root, "Sdn.Cli", "bin", "Release", "net10.0")).FullName;
        File.Copy(RepositoryRoot.Combine("sdn"), Path.Combine(_root, "sdn"));
        File.WriteAllText(Path.Combine(release, "sdn.dll"), "");
        File.WriteAllText(Path.Combine(_root, "Sdn.Cli", "bin", "Release", ".sdn-build-stamp"), "");
        Tool(tools, "dpkg-query", """for p in $MISSING; do [ "$p" = "$3" ] && { printf 'deinstall ok config-files'; exit 0; }; done; printf 'install ok installed'""");
        Tool(tools, "apt-get", """echo "apt-get $*" >> "$CALLS"; [ "$APT_FAILS" != 1 ]""");
        Tool(tools, "id", """echo "$UID_OF_CALLER" """);
        Tool(tools, "dotnet", """echo "dotnet ${1##*/} ${*:2}" """);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void As_root_it_installs_what_is_missing_in_one_line_then_runs_the_command()
    {
        var (exit, output, error, calls) = Run(missing: "libpcap0.8 iproute2", uid: 0);

        Assert.Equal((0, "dotnet sdn.dll validate quickstart.yaml\n"), (exit, output));
        Assert.Equal("sdn: installing libpcap0.8 iproute2, which a running fabric or the build needs\n", error);
        Assert.Equal(["apt-get update -qq", "apt-get install -y -qq --no-install-recommends libpcap0.8 iproute2"], calls);
    }

    [Fact]
    public void As_another_user_it_names_the_command_to_run_and_goes_on()
    {
        var (exit, output, error, calls) = Run(missing: "libpcap0.8", uid: 1000);

        Assert.Equal((0, "dotnet sdn.dll validate quickstart.yaml\n"), (exit, output));
        Assert.Equal("sdn: a running fabric or the build needs libpcap0.8; install with `sudo apt-get install libpcap0.8`\n", error);
        Assert.Empty(calls);
    }

    [Fact]
    public void An_install_that_fails_is_one_more_line_and_the_command_runs_all_the_same()
    {
        var (exit, output, error, _) = Run(missing: "iproute2", uid: 0, aptFails: true);

        Assert.Equal((0, "dotnet sdn.dll validate quickstart.yaml\n"), (exit, output));
        Assert.Equal("sdn: installing iproute2, which a running fabric or the build needs\nsdn: could not install iproute2; going on without them\n", error);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("libpcap0.8 iproute2", "1")]
    public void With_everything_installed_or_SDN_SKIP_PACKAGES_1_it_says_nothing_and_installs_nothing(string missing, string? skip)
    {
        var (exit, output, error, calls) = Run(missing, uid: 0, skip: skip);

        Assert.Equal((0, "dotnet sdn.dll validate quickstart.yaml\n", ""), (exit, output, error));
        Assert.Empty(calls);
    }

    private (int Exit, string Output, string Error, string[] Calls) Run(string missing, int uid, bool aptFails = false, string? skip = null)
    {
        var calls = Path.Combine(_root, "calls");
        File.WriteAllText(calls, "");
        var start = new ProcessStartInfo("bash", [Path.Combine(_root, "sdn"), "validate", "quickstart.yaml"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["PATH"] = $"{Path.Combine(_root, "tools")}:{Environment.GetEnvironmentVariable("PATH")}",
                ["MISSING"] = missing,
                ["UID_OF_CALLER"] = uid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["APT_FAILS"] = aptFails ? "1" : "0",
                ["CALLS"] = calls,
                ["SDN_SKIP_PACKAGES"] = skip,
            },
        };
        using var script = Process.Start(start)!;
        var (output, error) = (script.StandardOutput.ReadToEndAsync(), script.StandardError.ReadToEndAsync());
        Assert.True(script.WaitForExit(TimeSpan.FromSeconds(30)), "the script did not finish");
        return (script.ExitCode, output.Result, error.Result, File.ReadAllLines(calls));
    }

    private static void Tool(string directory, string name, string body)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, $"#!/usr/bin/env bash\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
