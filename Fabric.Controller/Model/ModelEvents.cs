using System.Threading.Channels;
using Sdn.Fabric.Core.Protos;

namespace Sdn.Fabric.Controller.Model;

/// <summary>Fans each accepted change out to every watcher, in the order the changes were accepted.</summary>
internal sealed class ModelEvents
{
    private readonly List<Channel<Event>> watchers = [];
    private readonly Lock gate = new();

    public void Publish(Event change)
    {
        lock (gate)
        {
            foreach (var watcher in watchers)
            {
                watcher.Writer.TryWrite(change);
            }
        }
    }

    /// <summary>A new watcher's queue, starting with <paramref name="backlog"/>; dispose the subscription to stop.</summary>
    public Subscription Subscribe(IEnumerable<Event> backlog)
    {
        var channel = Channel.CreateUnbounded<Event>(new UnboundedChannelOptions { SingleReader = true });
        foreach (var change in backlog)
        {
            channel.Writer.TryWrite(change);
        }

        lock (gate)
        {
            watchers.Add(channel);
        }

        return new Subscription(this, channel);
    }

    internal sealed class Subscription : IDisposable
    {
        private readonly ModelEvents owner;
        private readonly Channel<Event> channel;

        public Subscription(ModelEvents owner, Channel<Event> channel)
        {
            this.owner = owner;
            this.channel = channel;
        }

        public ChannelReader<Event> Reader => channel.Reader;

        public void Dispose()
        {
            lock (owner.gate)
            {
                owner.watchers.Remove(channel);
            }
        }
    }
}
