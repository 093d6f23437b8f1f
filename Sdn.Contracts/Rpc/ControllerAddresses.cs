using Grpc.Core;

namespace Sdn.Contracts.Rpc;

/// <summary>
/// The controllers an agent or a client may talk to, in the order given: one, or the several that share an etcd
/// store. <see cref="Current"/> is the one to try; after a failure <see cref="Advance"/> moves to the leader a
/// follower's refusal names (its <see cref="LeaderTrailer"/>) when it is one of them, else to the next.
/// </summary>
/// <remarks>Not thread-safe: one caller at a time.</remarks>
public sealed class ControllerAddresses
{
    /// <summary>
    /// The trailer in which a follower that refuses a call names the leader's address; empty while a leader is
    /// being elected. Its presence marks the refusal as a follower's.
    /// </summary>
    public const string LeaderTrailer = "sdn-leader";

    private readonly Uri[] _all;
    private int _current;

    public ControllerAddresses(IEnumerable<Uri> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        _all = [.. addresses];
        if (_all.Length == 0)
        {
            throw new ArgumentException("at least one controller address is needed", nameof(addresses));
        }
    }

    public IReadOnlyList<Uri> All => _all;

    public Uri Current => _all[_current];

    public static implicit operator ControllerAddresses(Uri address) => FromUri(address);

    public static ControllerAddresses FromUri(Uri address) => new([address]);

    /// <summary>Parses "URL[,URL...]", each an http:// or https:// address; null with <paramref name="error"/> set when one is not.</summary>
    public static ControllerAddresses? Parse(IEnumerable<string> texts, out string? error)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var addresses = new List<Uri>();
        foreach (var text in texts.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                error = $"'{text}' is not a controller address such as http://127.0.0.1:6653 or https://ctl.example:6653";
                return null;
            }

            addresses.Add(uri);
        }

        error = addresses.Count == 0 ? "a controller address is needed, such as http://127.0.0.1:6653" : null;
        return error is null ? new ControllerAddresses(addresses) : null;
    }

    /// <summary>Moves on after <see cref="Current"/> failed, with <paramref name="failure"/> when it answered.</summary>
    /// <returns>True when every controller was tried in this round: the caller should wait before the next.</returns>
    public bool Advance(RpcException? failure)
    {
        if (_all.Length == 1)
        {
            return true;
        }

        if (failure?.Trailers.GetValue(LeaderTrailer) is { } named
            && Array.FindIndex(_all, a => SameController(a, named)) is var leader and >= 0
            && leader != _current)
        {
            _current = leader;
            return false;
        }

        _current = (_current + 1) % _all.Length;
        return _current == 0;
    }

    /// <summary>Whether <paramref name="failure"/> is a follower's refusal of a call that only the leader answers.</summary>
    public static bool FollowerRefused(RpcException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.StatusCode == StatusCode.Unavailable && failure.Trailers.Get(LeaderTrailer) is not null;
    }

    public override string ToString() => string.Join(',', _all.Select(a => a.ToString()));

    private static bool SameController(Uri address, string named) =>
        Uri.TryCreate(named, UriKind.Absolute, out var uri) && Uri.Compare(address, uri, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
}
