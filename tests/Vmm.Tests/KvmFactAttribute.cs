using Sdn.Vmm.Kvm;

namespace Sdn.Vmm.Tests;

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

internal static class KvmProbe
{
    private static readonly Lazy<string?> Reason = new(() =>
    {
        try
        {
            KvmSystem.Open(KvmSystem.DevicePath).Dispose();
            return null;
        }
        catch (KvmException e)
        {
            return e.Message;
        }
    });

    public static string? Unusable() => Reason.Value;
}
