using System.ComponentModel;
using System.Diagnostics;

namespace Sdn.Testing;

/// <summary>
/// Runs an independent decoder (tshark, scapy) as a process. A missing tool fails the test with what to
/// install: these tests prove our parsers against code we did not write, so skipping would hide a gap.
/// </summary>
public static class ExternalTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static string Run(string fileName, string debianPackage, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"{fileName} is missing ({e.Message}): install the Debian package {debianPackage}, or run ./test.sh, which does", e);
        }

        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{fileName} ran longer than {Timeout}");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{fileName} exited with {process.ExitCode}: {error.Result}");
            }

            return output.Result;
        }
    }
}
