using System.Diagnostics;

namespace Sdn.Common.Interop;

/// <summary>Runs a system tool such as `ip` and fails with its own error text when it fails.</summary>
public static class ExternalCommand
{
    public static string Run(string fileName, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new ExternalCommandException($"could not start {fileName}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ExternalCommandException($"could not start {fileName}: {e.Message}; is it installed?", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                throw new ExternalCommandException($"{fileName} {string.Join(' ', arguments)} did not finish in 30 s");
            }

            if (process.ExitCode != 0)
            {
                throw new ExternalCommandException($"{fileName} {string.Join(' ', arguments)} failed: {stderr.Result.Trim()}");
            }

            return stdout.Result;
        }
    }
}
