using Grpc.Core;
using Sdn.Contracts.Rpc;

namespace Sdn.Cli.Commands;

/// <summary>
/// One call's search for a controller that answers it, among several that share an etcd store: a controller that
/// cannot be reached, or a follower that refuses a call only the leader answers, passes the call on. Past the first
/// round the search pauses between tries while a leader is elected; it gives up after
/// <see cref="ControllerClient.LeaderWait"/>, or after a round in which no controller answered at all.
/// </summary>
internal sealed class LeaderSearch(int controllers)
{
    private static readonly TimeSpan ElectionPoll = TimeSpan.FromMilliseconds(100);

    private DateTime? _giveUp;
    private bool _followerAnswered;
    private int _tried;

    /// <summary>Whether another of <paramref name="addresses"/> may answer where one failed with <paramref name="failure"/>.</summary>
    public static bool MayMoveOn(ControllerAddresses addresses, RpcException failure) =>
        addresses.All.Count > 1 && (Unreachable(failure) || ControllerAddresses.FollowerRefused(failure));

    /// <summary>Whether the call failed to reach a controller at all, rather than being answered with a failure.</summary>
    public static bool Unreachable(RpcException e) => e.StatusCode == StatusCode.Unavailable && e.Status.DebugException is not null;

    /// <summary>
    /// Takes a failure that <see cref="MayMoveOn"/> allows, after the addresses moved on from it
    /// (<see cref="ControllerAddresses.Advance"/> said whether that ended a round).
    /// </summary>
    /// <returns>Whether to try again; false when the search gives up, and the failure is the call's answer.</returns>
    public async Task<bool> TryAgainAsync(RpcException failure, bool roundDone, CancellationToken cancellationToken)
    {
        // Counted from the first pass, so that a long watch whose leader dies gets as long to find the next.
        _giveUp ??= DateTime.UtcNow + ControllerClient.LeaderWait;
        _followerAnswered |= ControllerAddresses.FollowerRefused(failure);
        if ((roundDone && !_followerAnswered) || DateTime.UtcNow > _giveUp)
        {
            return false;
        }

        if (++_tried >= controllers)
        {
            // Past the first round a leader is being elected, or the one named has died: give the election time.
            await Task.Delay(ElectionPoll, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
