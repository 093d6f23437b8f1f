namespace Sdn.Vmm.Tests.Machine;

/// <summary>One busy thread per core until disposed, so that other threads get preempted at any instruction.</summary>
internal sealed class CpuContention : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads = [];

    public CpuContention()
    {
        for (var i = 0; i < Environment.ProcessorCount; i++)
        {
            var thread = new Thread(() => Spin(_stop.Token)) { IsBackground = true, Name = "cpu contention" };
            thread.Start();
            _threads.Add(thread);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _threads.ForEach(t => t.Join());
        _stop.Dispose();
    }

    private static void Spin(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Thread.SpinWait(1000);
        }
    }
}
