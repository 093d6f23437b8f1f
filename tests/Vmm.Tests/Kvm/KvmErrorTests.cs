using Sdn.Vmm.Kvm;

namespace Sdn.Vmm.Tests.Kvm;

public class KvmErrorTests
{
    [Fact]
    public void A_missing_device_is_one_line_that_says_what_to_do()
    {
        var error = Assert.Throws<KvmException>(() => KvmSystem.Open("/dev/no-such-kvm"));

        Assert.Equal(2, error.Errno);
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith("cannot open /dev/no-such-kvm: No such file or directory — ", error.Message);
        Assert.Contains("nested virtualization", error.Message);
    }

    [Fact]
    public void A_device_without_permission_tells_to_join_the_kvm_group()
    {
        var message = KvmSystem.DescribeOpenFailure("/dev/kvm", 13);

        Assert.Equal("cannot open /dev/kvm: Permission denied — add your user to the kvm group (sudo usermod -aG kvm $USER, then log in again) or run as root", message);
    }
}
