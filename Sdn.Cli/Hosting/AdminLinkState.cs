using Sdn.Fabric.Controller.Model;
using Sdn.Contracts;

namespace Sdn.Cli.Hosting;

/// <summary>
/// Shuts both ends of an in-memory link while the model holds it administratively down (`sdn link set L
/// down`), as a switch shuts an interface: the controller routes around the link, and nothing crosses it.
/// </summary>
internal sealed class AdminLinkState : IAsyncDisposable
{
    private readonly ModelEvents.Subscription changes;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task following;

    public AdminLinkState(FabricModel model, FabricLinks links)
    {
        changes = model.Watch(includeExisting: false);
        following = Task.Run(() => FollowAsync(links));
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        await following.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        changes.Dispose();
        stopping.Dispose();
    }

    private async Task FollowAsync(FabricLinks links)
    {
        await foreach (var change in changes.Reader.ReadAllAsync(stopping.Token).ConfigureAwait(false))
        {
            if (change.Type == EventType.Updated && change.Link is { } link)
            {
                links.SetCut(link.Name, link.AdminDown);
            }
        }
    }
}
