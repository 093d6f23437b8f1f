using System.Globalization;

namespace Sdn.Contracts.Rpc;

/// <summary>
/// The grpc-timeout header: <c>TimeoutValue TimeoutUnit</c>, at most 8 ASCII digits followed by one
/// of n (nanoseconds), u (microseconds), m (milliseconds), S (seconds), M (minutes), H (hours).
/// </summary>
internal static class GrpcTimeout
{
    private const long MaxValue = 99_999_999;
    private const long NanosecondsPerTick = 100;

    private static readonly (char Unit, long Nanoseconds)[] Units =
    [
        ('n', 1),
        ('u', 1_000),
        ('m', 1_000_000),
        ('S', 1_000_000_000),
        ('M', 60_000_000_000),
        ('H', 3_600_000_000_000),
    ];

    /// <summary>The longest timeout a timer can arm (about 24.8 days); anything longer is, in practice, no deadline.</summary>
    public static readonly TimeSpan MaxEnforceable = TimeSpan.FromMilliseconds(int.MaxValue - 1);

    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length is < 2 or > 9
            || !long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        foreach (var (unit, nanoseconds) in Units)
        {
            if (unit == value[^1])
            {
                var ticks = (Int128)amount * nanoseconds / NanosecondsPerTick;
                timeout = TimeSpan.FromTicks((long)Int128.Min(ticks, TimeSpan.MaxValue.Ticks));
                return true;
            }
        }

        return false;
    }

    /// <summary>Formats in the finest unit whose value fits in 8 digits, rounding up so a deadline is never shortened.</summary>
    public static string Format(TimeSpan timeout)
    {
        var nanoseconds = (Int128)Math.Max(0, timeout.Ticks) * NanosecondsPerTick;
        foreach (var (unit, perUnit) in Units)
        {
            var amount = (nanoseconds + perUnit - 1) / perUnit;
            if (amount <= MaxValue)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{(long)amount}{unit}");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{MaxValue}H");
    }
}
