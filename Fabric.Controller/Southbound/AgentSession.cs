using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Core.Protos;
using Sdn.Fabric.Core.Rpc;
using Sdn.Fabric.Core.Southbound;

namespace Sdn.Fabric.Controller.Southbound;

/// <summary>
/// One connected agent: what it has been sent (so the next batch is the diff from there) and what it has acked.
/// Sends are serialised, so batches leave in version order whoever triggers them.
/// </summary>
internal sealed class AgentSession(string node, RpcStreamWriter<ControllerMessage> stream) : IDisposable
{
    private readonly SemaphoreSlim sending = new(1, 1);
    private NodeProgram sent = NodeProgram.Empty;
    private ulong sentVersion;
    private ulong fullStateVersion;

    public string Node { get; } = node;

    public CancellationTokenSource Ended { get; } = new();

    public ulong AckedVersion { get; private set; }

    public CounterReport? LastCounters { get; set; }

    /// <summary>Sends the node's whole program at <paramref name="fabric"/>'s version: what a (re)connected agent gets first.</summary>
    public Task SendFullStateAsync(CompiledFabric fabric) => SendAsync(fabric, full: true);

    /// <summary>Sends the difference between what the agent was last sent and <paramref name="fabric"/>; nothing when it is already there.</summary>
    public Task SendChangesAsync(CompiledFabric fabric) => SendAsync(fabric, full: false);

    /// <summary>
    /// Records an ack; true when the agent refused a diff and should be sent full state instead. A refused full
    /// state is not sent again: the same program would be refused the same way.
    /// </summary>
    public bool Acknowledge(BatchAck ack)
    {
        ArgumentNullException.ThrowIfNull(ack);
        if (ack.Status == (int)StatusCode.OK)
        {
            AckedVersion = Math.Max(AckedVersion, ack.Version);
            return false;
        }

        return ack.Version != fullStateVersion;
    }

    public void Dispose()
    {
        Ended.Dispose();
        sending.Dispose();
    }

    private async Task SendAsync(CompiledFabric fabric, bool full)
    {
        await sending.WaitAsync(Ended.Token).ConfigureAwait(false);
        try
        {
            if (!full && fabric.Version <= sentVersion)
            {
                return;
            }

            var program = fabric.ProgramOf(Node);
            var batch = full ? program.FullBatch(fabric.Version) : sent.DiffTo(program, fabric.Version, sentVersion);
            await stream.WriteAsync(new ControllerMessage { Batch = batch }).ConfigureAwait(false);
            sent = program;
            sentVersion = fabric.Version;
            fullStateVersion = full ? fabric.Version : fullStateVersion;
        }
        finally
        {
            sending.Release();
        }
    }
}
