using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>
/// Fans each accepted change out to every watcher, in the order the changes were accepted. Publishing never
/// waits for a watcher: a watcher with a limit that has that many changes queued unread when the next one
/// comes has fallen behind. It is dropped, its queue is let go and ends, and <see cref="Subscription.FellBehind"/>
/// says why, instead of the queue growing without end.
/// </summary>
public sealed class ModelEvents
{
    private readonly List<Subscription> _watchers = [];
    private readonly Lock _gate = new();

    public void Publish(Event change)
    {
        lock (_gate)
        {
            // Backwards, so that a watcher that fell behind can leave the list as it is found.
            for (var i = _watchers.Count - 1; i >= 0; i--)
            {
                if (!_watchers[i].Offer(change))
                {
                    _watchers.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>A new watcher's queue, starting with <paramref name="backlog"/>; dispose the subscription to stop.</summary>
    /// <param name="limit">
    /// How many changes after the backlog may wait unread before the watcher is dropped; null for no limit,
    /// for watchers in this process that always keep up. The backlog does not count against it.
    /// </param>
    public Subscription Subscribe(IEnumerable<Event> backlog, int? limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit ?? 1, 1, nameof(limit));
        var subscription = new Subscription(this, new Queue<Event>(backlog), limit);
        lock (_gate)
        {
            _watchers.Add(subscription);
        }

        return subscription;
    }

    public sealed class Subscription : IDisposable
    {
        private readonly ModelEvents _owner;
        private readonly Channel<Event> _live;
        private volatile bool _fellBehind;

        public Subscription(ModelEvents owner, Queue<Event> backlog, int? limit)
        {
            this._owner = owner;
            // Not SingleReader: the publisher empties the queue of a watcher that fell behind, and a reader may take turns
            // with another thread under a lock of its own.
            _live = limit is { } capacity
                ? Channel.CreateBounded<Event>(new BoundedChannelOptions(capacity) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait })
                : Channel.CreateUnbounded<Event>(new UnboundedChannelOptions { SingleWriter = true });
            Reader = new BacklogThenLive(backlog, _live.Reader);
        }

        /// <summary>The backlog, then each change as it is published; one reader only. It ends only when the watcher fell behind.</summary>
        public ChannelReader<Event> Reader { get; }

        /// <summary>
        /// Whether a change came while the limit's worth of changes were waiting unread. The queue then ended, and
        /// what was still in it was dropped: the watcher no longer has the model's history, and should watch again.
        /// Set before the queue ends, so a reader that finds the end can tell why.
        /// </summary>
        public bool FellBehind => _fellBehind;

        public void Dispose()
        {
            lock (_owner._gate)
            {
                _owner._watchers.Remove(this);
            }
        }

        /// <summary>Queues <paramref name="change"/>; false when the queue is full, and the watcher has fallen behind.</summary>
        /// <remarks>Called under the owner's lock, so it must not block, nor run anyone's code.</remarks>
        internal bool Offer(Event change)
        {
            if (_live.Writer.TryWrite(change))
            {
                return true;
            }

            // At most the limit's worth of events to let go of, once; the reader's continuations run on the thread pool.
            _fellBehind = true;
            _live.Writer.TryComplete();
            while (_live.Reader.TryRead(out _))
            {
            }

            return false;
        }
    }

    /// <summary>A single reader's view of the backlog, then of the live queue.</summary>
    private sealed class BacklogThenLive : ChannelReader<Event>
    {
        private readonly Queue<Event> _backlog;
        private readonly ChannelReader<Event> _live;

        public BacklogThenLive(Queue<Event> backlog, ChannelReader<Event> live)
        {
            this._backlog = backlog;
            this._live = live;
        }

        public override Task Completion => _live.Completion;

        public override bool CanCount => true;

        public override int Count => _backlog.Count + _live.Count;

        public override bool TryRead([MaybeNullWhen(false)] out Event item) => _backlog.TryDequeue(out item) || _live.TryRead(out item);

        public override bool TryPeek([MaybeNullWhen(false)] out Event item) => _backlog.TryPeek(out item) || _live.TryPeek(out item);

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
            _backlog.Count > 0 ? ValueTask.FromResult(true) : _live.WaitToReadAsync(cancellationToken);
    }
}
