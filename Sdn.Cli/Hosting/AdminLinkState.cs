using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Cli.Hosting;

/// <summary>
/// Shuts both ends of a link while the model holds it administratively down (`sdn link set L down`), as a switch
/// shuts an interface: the controller routes around the link, and nothing crosses it.
/// </summary>
internal sealed class AdminLinkState : IAsyncDisposable
{
    private readonly ModelEvents.Subscription _changes;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _following;

    public AdminLinkState(FabricModel model, LinkEnds links)
    {
        _changes = model.Watch(includeExisting: true);
        _following = Task.Run(() => FollowAsync(links));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _following.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _changes.Dispose();
        _stopping.Dispose();
    }

    private async Task FollowAsync(LinkEnds links)
    {
        await foreach (var change in _changes.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
        {
            if (change.Link is { } link)
            {
                links.SetCut(link.Name, change.Type != EventType.Deleted && link.AdminDown);
            }
        }
    }
}
