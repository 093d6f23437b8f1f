using Sdn.Vmm.Kvm;

namespace Sdn.Testing;

/// <summary>
/// A fact that needs a usable /dev/kvm. Without one it is skipped with the reason — unless SDN_REQUIRE_KVM=1
/// (set by test.sh), in which case it runs and fails with the VMM's own one-line error.
/// </summary>
public sealed class KvmFactAttribute : FactAttribute
{
    public KvmFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("SDN_REQUIRE_KVM") != "1" && KvmProbe.Unusable() is { } reason)
        {
            Skip = reason;
        }
    }
}

public static class KvmProbe
{
    private static readonly Lazy<string?> Reason = new(KvmAvailability.Problem);

    public static string? Unusable() => Reason.Value;
}
