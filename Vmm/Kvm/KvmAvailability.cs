namespace Sdn.Vmm.Kvm;

/// <summary>Whether this machine can run guests, asked before anything is started.</summary>
public static class KvmAvailability
{
    /// <summary>Null when /dev/kvm opens and speaks the stable API; otherwise the one-line reason, which says what to fix.</summary>
    public static string? Problem()
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
    }
}
