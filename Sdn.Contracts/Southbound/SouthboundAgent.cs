using System.Diagnostics;
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
/// <remarks>
/// <para>The agent never dies of what it is asked to do. A batch that throws anything is refused whole: a
/// <see cref="ProgramException"/> acks with its own status, anything else with INTERNAL (FAILED_PRECONDITION for a
/// missing native library, naming its package), and the node keeps its previous program. A request (trace, flow
/// dump, capture, mirror, ping, stop) that throws answers its id with a <see cref="RequestFailed"/> of the same kind.
/// Either way the session goes on, and the exception is written to the log given at construction, prefixed with
/// "agent NODE:".</para>
/// <para>Whatever else ends a session (the controller going away, or a fault of the agent itself, which is logged)
/// leads to a new one: after the retry delay, doubled for each session in a row that did not come up (hello sent and
/// a batch applied), up to <see cref="MaxRetryDelay"/>. Only disposing the agent stops it. Each new reason a
/// session cannot be had (the controller unreachable, a token refused) is logged once, and the first batch applied
/// after it says the agent is in session again.</para>
/// </remarks>
public abstract class SouthboundAgent : IAsyncDisposable
{
    /// <summary>Messages decoded ahead of the one being applied; one is enough to keep decoding and applying side by side.</summary>
    private const int InboxCapacity = 1;

    /// <summary>The longest wait between two attempts to reach the controller.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>How often a connected agent sends its node's counters, the latest of which GetStats shows.</summary>
    public static readonly TimeSpan CounterInterval = TimeSpan.FromSeconds(1);

    private readonly ControllerAddresses _controllers;
    private readonly RpcSettings? _settings;
    private readonly RetryBackoff _backoff;
    private readonly Action<string> _log;
    private readonly string _title;
    private readonly Channel<AgentMessage> _outbox = Channel.CreateUnbounded<AgentMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly RunningRequests _requests = new();
    private readonly AgentCaptures _captures;
    private Task? _run;
    private volatile bool _connected;
    private bool _appliedThisSession;
    /// <summary>Why each controller gave no session, since the last batch applied: each new reason is logged once.</summary>
    private readonly Dictionary<Uri, string> _noSession = [];
    private int _queued;
    private long _queuedFrameBytes;
    private long _sessions;
    private int _disposed;

    /// <param name="controllers">
    /// The controller, or the several that share an etcd store: a session that cannot be had, or ends, moves on to the
    /// leader a follower names, else to the next; the retry delay comes after a whole round failed.
    /// </param>
    /// <param name="retryDelay">The first wait before reconnecting; 200 ms by default.</param>
    /// <param name="log">Takes one line for each exception the agent survives; by default the line goes to standard error.</param>
    protected SouthboundAgent(string nodeName, NodeRole role, ControllerAddresses controllers, RpcSettings? settings = null, TimeSpan? retryDelay = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(controllers);
        NodeName = nodeName;
        Role = role;
        _controllers = controllers;
        _settings = settings;
        _backoff = new RetryBackoff(retryDelay ?? TimeSpan.FromMilliseconds(200), MaxRetryDelay);
        _log = log ?? Console.Error.WriteLine;
        _title = role == NodeRole.Core ? $"core node {nodeName}" : $"edge {nodeName}";
        _captures = new AgentCaptures(Report, () => (Volatile.Read(ref _queued), Interlocked.Read(ref _queuedFrameBytes)));
    }

    /// <summary>Raised after each batch is applied or refused, with the ack the controller is sent.</summary>
    public event EventHandler<BatchAck>? BatchHandled;

    /// <summary>Raised after each batch the node applied, with how long applying it took.</summary>
    public event EventHandler<TimeSpan>? BatchApplied;

    public string NodeName { get; }

    public NodeRole Role { get; }

    /// <summary>Where the node's MPLS-in-UDP links arrive, "ip:port", announced in each hello; empty for a node that runs with the controller.</summary>
    public string Underlay { get; init; } = string.Empty;

    /// <summary>The token the agent shows the controller (the node's own) and the authorities it trusts.</summary>
    public ClientCredentials? Credentials { get; init; }

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
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            await _run.ConfigureAwait(false);
        }

        LogStopFailures(_requests.StopAll());
        _captures.Dispose();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Sends the node's counters to the controller now, besides every <see cref="CounterInterval"/>.</summary>
    public void ReportCounters() => Report(new AgentMessage { Counters = Counters() });

    /// <summary>Queues a report (link state, counters) for the controller; sent once a stream is up.</summary>
    protected void Report(AgentMessage message)
    {
        if (_outbox.Writer.TryWrite(message))
        {
            Interlocked.Increment(ref _queued);
            Interlocked.Add(ref _queuedFrameBytes, FrameBytes(message));
        }
    }

    /// <summary>
    /// Applies a batch whole, or throws having changed nothing: a <see cref="ProgramException"/> says which status the
    /// ack carries; anything else is acked INTERNAL (or FAILED_PRECONDITION for a missing native library) and logged.
    /// </summary>
    protected abstract void Apply(ProgramBatch batch);

    /// <summary>
    /// The reply to a request other than a batch or a capture (a trace), or null when there is none now: a request
    /// that runs on (a mirror, a ping) is <see cref="Track"/>ed and reports as it goes. What this throws answers the
    /// request's id as <see cref="Fail(ulong, string, Exception)"/> does.
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

    /// <summary>The node's counters as they are now: its ports' and its datapath's.</summary>
    public abstract CounterReport Counters();

    /// <summary>
    /// Answers request <paramref name="id"/>, which threw <paramref name="error"/> while the node tried to
    /// <paramref name="doing"/>, with the status <see cref="FailureStatus"/> gives it, and logs it.
    /// </summary>
    protected void Fail(ulong id, string doing, Exception error)
    {
        var status = FailureStatus.Of(error, $"{_title} cannot {doing}");
        Log($"request {id}: {status.Detail}");
        Fail(id, status.StatusCode, status.Detail);
    }

    /// <summary>Writes one line to the agent's log, prefixed with "agent NODE:"; line ends inside it become spaces.</summary>
    private void Log(string line) => _log($"agent {NodeName}: {line}".ReplaceLineEndings(" "));

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            _appliedThisSession = false;
            RpcException? refusal = null;
            try
            {
                await SessionAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or IOException or OperationCanceledException)
            {
                // The controller is away, or refuses the session: forwarding goes on with what was applied; try again
                // shortly. Each new reason is logged once, so that a wrong address or token shows.
                refusal = e as RpcException;
                var reason = e is RpcException refused
                    ? $"{refused.StatusCode}: {refused.Status.DebugException?.GetBaseException().Message ?? refused.Status.Detail}"
                    : e.Message;
                if (!_noSession.TryGetValue(_controllers.Current, out var last) || last != reason)
                {
                    _noSession[_controllers.Current] = reason;
                    Log($"no session with the controller at {_controllers.Current}: {reason}; forwarding goes on, and the agent keeps trying");
                }
            }
            catch (Exception e)
            {
                // A fault of the agent's own: the session is lost, not the agent.
                Log($"the session with the controller failed ({e.GetType().Name}: {e.Message}); reconnecting");
            }

            _connected = false;
            if (_appliedThisSession)
            {
                _backoff.Reset();
            }

            if (!_controllers.Advance(refusal))
            {
                continue;
            }

            try
            {
                await Task.Delay(_backoff.Next(), _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SessionAsync()
    {
        using var channel = RpcChannels.ForAddress(_controllers.Current, _settings, Credentials);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        using (var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(AgentConnect.Method, host: null, new CallOptions(cancellationToken: session.Token)))
        {
            var hello = new Hello { NodeName = NodeName, Role = Role, AppliedVersion = AppliedVersion, Underlay = Underlay };
            Describe(hello);
            await call.RequestStream.WriteAsync(new AgentMessage { Hello = hello }).ConfigureAwait(false);
            Interlocked.Increment(ref _sessions);
            _connected = true;
            var pump = PumpAsync(call.RequestStream, session.Token);
            var inbox = Channel.CreateBounded<ControllerMessage>(new BoundedChannelOptions(InboxCapacity) { SingleReader = true, SingleWriter = true });
            var receive = ReceiveAsync(call.ResponseStream, inbox.Writer, session.Token);
            var counting = ReportCountersAsync(session.Token);
            try
            {
                await foreach (var message in inbox.Reader.ReadAllAsync(session.Token).ConfigureAwait(false))
                {
                    if (message.KindCase == ControllerMessage.KindOneofCase.Batch)
                    {
                        Report(new AgentMessage { BatchAck = Handle(message.Batch) });

                        // So that GetStats shows the ports and entries a program brings as soon as it is applied.
                        ReportCountersOrLog();
                    }
                    else
                    {
                        Serve(message);
                    }
                }
            }
            finally
            {
                _connected = false;
                LogStopFailures(_requests.StopAll());
                await session.CancelAsync().ConfigureAwait(false);
                await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await receive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await counting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>
    /// Sends the node's counters as the session starts, so GetStats has them at once, then every
    /// <see cref="CounterInterval"/> until the session ends.
    /// </summary>
    private async Task ReportCountersAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(CounterInterval);
        do
        {
            ReportCountersOrLog();
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Sends the node's counters; a failure is logged, and the next report tries again.</summary>
    private void ReportCountersOrLog()
    {
        try
        {
            ReportCounters();
        }
        catch (Exception e)
        {
            Log($"reporting counters failed: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Serves a request; whatever it throws answers its id instead of ending the session.</summary>
    private void Serve(ControllerMessage message)
    {
        var request = RequestOf(message);
        try
        {
            if (message.KindCase == ControllerMessage.KindOneofCase.CaptureStart)
            {
                StartCapture(message.CaptureStart);
            }
            else if (message.KindCase == ControllerMessage.KindOneofCase.RequestStop)
            {
                foreach (var (id, error) in _requests.Stop(message.RequestStop.RequestId))
                {
                    Fail(id, request!.Value.Doing, error);
                }
            }
            else if (Answer(message) is { } reply)
            {
                Report(reply);
            }
        }
        catch (Exception e)
        {
            if (request is var (id, doing))
            {
                Fail(id, doing, e);
            }
            else
            {
                Log($"a {message.KindCase} message failed: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    /// <summary>The id of the request <paramref name="message"/> starts, and what the node does for it; null for a message that starts none.</summary>
    private static (ulong Id, string Doing)? RequestOf(ControllerMessage message) => message.KindCase switch
    {
        ControllerMessage.KindOneofCase.Trace => (message.Trace.RequestId, "trace"),
        ControllerMessage.KindOneofCase.Flows => (message.Flows.RequestId, "dump its flows"),
        ControllerMessage.KindOneofCase.CaptureStart => (message.CaptureStart.CaptureId, "capture"),
        ControllerMessage.KindOneofCase.MirrorStart => (message.MirrorStart.MirrorId, "mirror"),
        ControllerMessage.KindOneofCase.PingStart => (message.PingStart.PingId, "ping"),
        ControllerMessage.KindOneofCase.RequestStop => (message.RequestStop.RequestId, "stop it"),
        _ => null,
    };

    /// <summary>Logs what failed while stopping requests at the end of a session, when there is no one left to answer.</summary>
    private void LogStopFailures(IReadOnlyList<(ulong Id, Exception Error)> failures)
    {
        foreach (var (id, error) in failures)
        {
            Log($"request {id}: {FailureStatus.Of(error, $"{_title} cannot stop it").Detail}");
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

    /// <summary>Applies <paramref name="batch"/> whole, or refuses it whole; the node then keeps its previous program.</summary>
    private BatchAck Handle(ProgramBatch batch)
    {
        var ack = new BatchAck { Version = batch.Version };
        var started = Stopwatch.GetTimestamp();
        try
        {
            Apply(batch);
            _appliedThisSession = true;
            if (_noSession.Count > 0)
            {
                _noSession.Clear();
                Log($"in session with the controller at {_controllers.Current} again");
            }
        }
        catch (ProgramException e)
        {
            ack.Status = (int)e.Status;
            ack.Message = e.Message;
        }
        catch (Exception e)
        {
            var status = FailureStatus.Of(e, $"{_title} cannot apply version {batch.Version}");
            ack.Status = (int)status.StatusCode;
            ack.Message = $"{status.Detail}; it still runs version {AppliedVersion}";
            Log(ack.Message);
        }

        if (ack.Status == 0)
        {
            BatchApplied?.Invoke(this, Stopwatch.GetElapsedTime(started));
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
