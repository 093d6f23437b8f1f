using System.Diagnostics;

namespace Sdn.Fabric.Core.Tests.Support;

/// <summary>Polls test edges on the test thread until a condition holds or time runs out.</summary>
internal static class Poll
{
    public static bool Until(Func<bool> condition, TimeSpan timeout, params TestEdge[] edges)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var work = 0;
            foreach (var edge in edges)
            {
                work += edge.PollOnce();
            }

            if (condition())
            {
                return true;
            }

            if (work == 0)
            {
                Thread.Sleep(1);
            }
        }

        return condition();
    }
}
