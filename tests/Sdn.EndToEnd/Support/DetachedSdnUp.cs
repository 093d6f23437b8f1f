using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Sdn.EndToEnd.Support;

/// <summary>A fabric the real `sdn up -d` started: what it printed, the pid it left running, its log and its controller's address.</summary>
internal sealed partial record DetachedSdnUp(string Output, int Pid, string Log, Uri Controller)
{
    /// <summary>Runs `sdn up -d FILE --listen 127.0.0.1:0` and waits for it to return with the fabric up.</summary>
    public static DetachedSdnUp Start(string file)
    {
        using var sdn = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "sdn.dll"), "up", "-d", file, "--listen", "127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
        })!;
        var output = sdn.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        Assert.True(sdn.WaitForExit(TimeSpan.FromSeconds(10)), output);
        Assert.Equal(0, sdn.ExitCode);
        var detached = Detached().Match(output);
        Assert.True(detached.Success, output);
        return new DetachedSdnUp(output, int.Parse(detached.Groups[3].Value, CultureInfo.InvariantCulture), detached.Groups[1].Value, new Uri(detached.Groups[2].Value));
    }

    [GeneratedRegex(@"sdn up: detached; log in (\S+); tear it down with `sdn down --controller (\S+)` or `kill (\d+)`")]
    private static partial Regex Detached();
}
