using System.Globalization;

namespace Sdn.Benchmarks.Vmm;

/// <summary>
/// The CPU time the threads of this process run between <see cref="Start"/> and <see cref="Stop"/>, by thread name,
/// from /proc/self/task/*/schedstat (nanoseconds). It samples every few milliseconds because a vCPU thread ends with
/// its guest, taking its counters along; only threads whose names start with one of the given prefixes are read.
/// CPU seconds, unlike wall-clock rates, do not depend on the share of a core the scheduler gave the threads on this
/// shared machine.
/// </summary>
internal sealed class ThreadCpuSampler : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);
    private readonly Dictionary<int, (string Name, long First, long Last)> _threads = [];
    private readonly Dictionary<string, (string Name, int Reads)> _names = [];
    private readonly string[] _prefixes;
    private readonly Thread _sampler;
    private volatile bool _stopping;
    private long _allocatedBytes;

    private ThreadCpuSampler(string[] prefixes)
    {
        _prefixes = prefixes;
        Sample(firstSample: true);
        _sampler = new Thread(Run) { IsBackground = true, Name = "cpu sampler" };
        _sampler.Start();
    }

    /// <summary>Starts sampling the threads whose names start with one of <paramref name="prefixes"/>.</summary>
    public static ThreadCpuSampler Start(params string[] prefixes) => new(prefixes);

    public void Stop()
    {
        _stopping = true;
        _sampler.Join();
        Sample(firstSample: false);
    }

    /// <summary>The bytes the sampler itself allocated, for callers that measure the process's allocations.</summary>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    /// <summary>CPU seconds run by threads whose name starts with <paramref name="prefix"/>.</summary>
    public double Seconds(string prefix)
    {
        lock (_threads)
        {
            return _threads.Values.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal)).Sum(t => t.Last - t.First) / 1e9;
        }
    }

    public void Dispose()
    {
        if (!_stopping)
        {
            Stop();
        }
    }

    private void Run()
    {
        while (!_stopping)
        {
            Thread.Sleep(Interval);
            Sample(firstSample: false);
        }
    }

    private void Sample(bool firstSample)
    {
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var tid = int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
                // A new thread carries its creator's name until it names itself (a device worker starts on a vCPU
                // thread), so a sampled name is read every time and another one a few times.
                if (!_names.TryGetValue(task, out var known) || Sampled(known.Name) || known.Reads < 3)
                {
                    known = _names[task] = (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'), known.Reads + 1);
                }

                var name = known.Name;
                if (!Sampled(name))
                {
                    continue;
                }

                var ran = long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0], CultureInfo.InvariantCulture);
                lock (_threads)
                {
                    // A thread first seen after the start was created since: all of its time counts.
                    var first = _threads.TryGetValue(tid, out var seen) && seen.Name == name ? seen.First : firstSample ? ran : 0;
                    _threads[tid] = (name, first, ran);
                }
            }
            catch (IOException)
            {
                // The thread ended between listing and reading.
            }
        }

        Interlocked.Add(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
    }

    private bool Sampled(string name) => _prefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));
}
