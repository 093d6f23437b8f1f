using System.Threading.Channels;
using Grpc.Core;
using Sdn.Common.Capture;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;

namespace Sdn.Contracts.Southbound;

/// <summary>
/// What every node agent shares: one <c>Agent.Connect</c> stream to the controller, kept up for as long as the
/// agent runs. It opens with a hello (the node, its role, the version it runs, its links), applies each batch the
/// controller sends through <see cref="Apply"/> and acks it with the outcome, and sends whatever the node reports.
/// When the stream breaks the node keeps forwarding on what it last applied, and the agent reconnects; the
/// controller then sends full state, which the node applies by removing whatever that state lacks.
/// Captures, and whatever else runs under a request id, end with their stop message or with the stream.
/// </summary>
public abstract class SouthboundAgent : IAsyncDisposable
{
    /// <summary>Messages decoded ahead of the one being applied; one is enough to keep decoding and applying side by side.</summary>
    private const int InboxCapacity = 1;

    private readonly Uri _controller;
    private readonly RpcSettings? _settings;
    private readonly TimeSpan _retryDelay;
    private readonly Channel<AgentMessage> _outbox = Channel.CreateUnbounded<AgentMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly RunningRequests _requests = new();
    private readonly AgentCaptures _captures;
    private Task? _run;
    private volatile bool _connected;
    private int _queued;
    private long _queuedFrameBytes;
    private long _sessions;

    protected SouthboundAgent(string nodeName, NodeRole role, Uri controller, RpcSettings? settings = null, TimeSpan? retryDelay = null)
    {
        ArgumentNullException.ThrowIfNull(controller);
        NodeName = nodeName;
        Role = role;
        _controller = controller;
        _settings = settings;
        _retryDelay = retryDelay ?? TimeSpan.FromMilliseconds(200);
        _captures = new AgentCaptures(Report, () => (Volatile.Read(ref _queued), Interlocked.Read(ref _queuedFrameBytes)));
    }

    /// <summary>Raised after each batch is applied or refused, with the ack the controller is sent.</summary>
    public event EventHandler<BatchAck>? BatchHandled;

    public string NodeName { get; }

    public NodeRole Role { get; }

    /// <summary>True while a stream to the controller is open and the hello has been sent.</summary>
    public bool IsConnected => _connected;

    /// <summary>How many streams this agent has opened, reconnections included.</summary>
    public long Sessions => Interlocked.Read(ref _sessions);

    /// <summary>The version of the last batch the node applied.</summary>
    public abstract ulong AppliedVersion { get; }

    /// <summary>Starts connecting (and reconnecting) in the background.</summary>
    public void Start() => _run ??= Task.Run(RunAsync);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            await _run.ConfigureAwait(false);
        }

        _requests.StopAll();
        _captures.Dispose();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Queues a report (link state, counters) for the controller; sent once a stream is up.</summary>
    protected void Report(AgentMessage message)
    {
        if (_outbox.Writer.TryWrite(message))
        {
            Interlocked.Increment(ref _queued);
            Interlocked.Add(ref _queuedFrameBytes, FrameBytes(message));
        }
    }

    /// <summary>Applies a batch whole, or throws <see cref="ProgramException"/> having changed nothing.</summary>
    protected abstract void Apply(ProgramBatch batch);

    /// <summary>
    /// The reply to a request other than a batch or a capture (a trace), or null when there is none now: a request
    /// that runs on (a mirror, a ping) is <see cref="Track"/>ed and reports as it goes.
    /// </summary>
    protected virtual AgentMessage? Answer(ControllerMessage request) => null;

    /// <summary>Where captures of <paramref name="port"/> (a port or link interface of the node) attach; null when the node has none by that name.</summary>
    protected abstract CaptureTap? CaptureTapOf(string port);

    /// <summary>Keeps <paramref name="running"/> until the controller stops request <paramref name="id"/> or the stream ends.</summary>
    protected void Track(ulong id, IDisposable running) => _requests.Add(id, running);

    /// <summary>Tells the controller that request <paramref name="id"/> could not be started or kept up.</summary>
    protected void Fail(ulong id, StatusCode status, string message) =>
        Report(new AgentMessage { RequestFailed = new RequestFailed { RequestId = id, Status = (int)status, Message = message } });

    /// <summary>The node's ports and links as they are now, for the hello.</summary>
    protected abstract void Describe(Hello hello);

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await SessionAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or IOException or OperationCanceledException)
            {
                // The controller is away: forwarding goes on with what was applied; try again shortly.
            }

            _connected = false;
            try
            {
                await Task.Delay(_retryDelay, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SessionAsync()
    {
        using var channel = RpcChannels.ForAddress(_controller, _settings);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        using (var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(AgentConnect.Method, host: null, new CallOptions(cancellationToken: session.Token)))
        {
            var hello = new Hello { NodeName = NodeName, Role = Role, AppliedVersion = AppliedVersion };
            Describe(hello);
            await call.RequestStream.WriteAsync(new AgentMessage { Hello = hello }).ConfigureAwait(false);
            Interlocked.Increment(ref _sessions);
            _connected = true;
            var pump = PumpAsync(call.RequestStream, session.Token);
            var inbox = Channel.CreateBounded<ControllerMessage>(new BoundedChannelOptions(InboxCapacity) { SingleReader = true, SingleWriter = true });
            var receive = ReceiveAsync(call.ResponseStream, inbox.Writer, session.Token);
            try
            {
                await foreach (var message in inbox.Reader.ReadAllAsync(session.Token).ConfigureAwait(false))
                {
                    if (message.KindCase == ControllerMessage.KindOneofCase.Batch)
                    {
                        Report(new AgentMessage { BatchAck = Handle(message.Batch) });
                    }
                    else if (message.KindCase == ControllerMessage.KindOneofCase.CaptureStart)
                    {
                        StartCapture(message.CaptureStart);
                    }
                    else if (message.KindCase == ControllerMessage.KindOneofCase.RequestStop)
                    {
                        _requests.Stop(message.RequestStop.RequestId);
                    }
                    else if (Answer(message) is { } reply)
                    {
                        Report(reply);
                    }
                }
            }
            finally
            {
                _connected = false;
                _requests.StopAll();
                await session.CancelAsync().ConfigureAwait(false);
                await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await receive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private void StartCapture(CaptureStart start)
    {
        if (CaptureTapOf(start.Port) is not { } tap)
        {
            Fail(start.CaptureId, StatusCode.NotFound, $"port '{start.Port}' is not on node {NodeName}");
            return;
        }

        try
        {
            Track(start.CaptureId, _captures.Start(start, tap));
        }
        catch (Exception e) when (e is CaptureFilterException or ArgumentOutOfRangeException)
        {
            Fail(start.CaptureId, StatusCode.InvalidArgument, e.Message);
        }
    }

    private BatchAck Handle(ProgramBatch batch)
    {
        var ack = new BatchAck { Version = batch.Version };
        try
        {
            Apply(batch);
        }
        catch (ProgramException e)
        {
            ack.Status = (int)e.Status;
            ack.Message = e.Message;
        }

        BatchHandled?.Invoke(this, ack);
        return ack;
    }

    /// <summary>
    /// Reads and parses the controller's messages into <paramref name="inbox"/>, so that the next batch is decoded
    /// while the node applies the previous one; the inbox ends with the stream, or with the error that broke it.
    /// </summary>
    private static async Task ReceiveAsync(IAsyncStreamReader<ControllerMessage> messages, ChannelWriter<ControllerMessage> inbox, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in messages.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await inbox.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }

            inbox.TryComplete();
        }
        catch (Exception e)
        {
            inbox.TryComplete(e);
        }
    }

    /// <summary>The only writer of the stream: acks and reports leave in the order they were queued.</summary>
    private async Task PumpAsync(IClientStreamWriter<AgentMessage> stream, CancellationToken cancellationToken)
    {
        while (await _outbox.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_outbox.Reader.TryRead(out var message))
            {
                Interlocked.Decrement(ref _queued);
                Interlocked.Add(ref _queuedFrameBytes, -FrameBytes(message));
                await stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The captured frame <paramref name="message"/> carries, in bytes; 0 for any other message.</summary>
    private static long FrameBytes(AgentMessage message) =>
        message.KindCase == AgentMessage.KindOneofCase.CapturedPacket ? message.CapturedPacket.Data.Length : 0;
}
