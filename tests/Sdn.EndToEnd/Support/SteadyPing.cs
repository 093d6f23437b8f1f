using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Sdn.EndToEnd.Support;

/// <summary>Linux ping from a namespace, 100 a second, counted when it ends.</summary>
internal sealed partial class SteadyPing : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;

    private SteadyPing(Process process)
    {
        _process = process;
        _output = process.StandardOutput.ReadToEndAsync();
    }

    /// <summary>Starts <paramref name="count"/> pings, 10 ms apart, from namespace <paramref name="space"/> to <paramref name="address"/>.</summary>
    public static SteadyPing Start(string space, string address, int count) =>
        new(Process.Start(new ProcessStartInfo("ip", ["netns", "exec", space, "ping", "-n", "-q", "-i", "0.01", "-W", "1", "-c", count.ToString(CultureInfo.InvariantCulture), address])
        {
            RedirectStandardOutput = true,
        })!);

    /// <summary>Waits for the last ping; returns how many were sent and answered.</summary>
    public async Task<(int Sent, int Received)> ResultAsync()
    {
        var output = await _output.WaitAsync(TimeSpan.FromMinutes(2));
        var summary = Summary().Match(output);
        Assert.True(summary.Success, $"ping printed no summary:\n{output}");
        return (int.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(summary.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) received")]
    private static partial Regex Summary();
}
