using System.Runtime.InteropServices;
using Grpc.Core;
using Sdn.Contracts.Rpc;

namespace Sdn.Contracts.Tests.Rpc;

/// <summary>
/// The status an unexpected exception answers with. A libpcap the loader cannot find is made here for real: a
/// P/Invoke into libpcap under a file name no host has, so the runtime throws exactly what it throws on a host
/// without libpcap0.8, wrapped or not in a type initializer.
/// </summary>
public partial class FailureStatusTests
{
    private const string Install = "libpcap is not installed; install it with `apt-get install libpcap0.8`";

    [Fact]
    public void A_missing_libpcap_is_failed_precondition_naming_the_package_to_install()
    {
        var missing = Assert.Throws<DllNotFoundException>(() => AbsentLibPcap.OpenDead(1, 65535));

        var status = FailureStatus.Of(missing, "edge e1 cannot capture");

        Assert.Equal((StatusCode.FailedPrecondition, $"edge e1 cannot capture: {Install}"), (status.StatusCode, status.Detail));
    }

    [Fact]
    public void A_missing_libpcap_behind_a_type_initializer_is_the_same()
    {
        var missing = Assert.Throws<TypeInitializationException>(() => FilterCompiler.Handle);

        var status = FailureStatus.Of(missing, "the controller cannot check capture filters");

        Assert.IsType<DllNotFoundException>(missing.InnerException);
        Assert.Equal((StatusCode.FailedPrecondition, $"the controller cannot check capture filters: {Install}"), (status.StatusCode, status.Detail));
    }

    [Fact]
    public void A_libpcap_without_a_function_is_failed_precondition_naming_the_package()
    {
        var missing = Assert.Throws<EntryPointNotFoundException>(() => LibPcapWithoutIt.NoSuchFunction());

        var status = FailureStatus.Of(missing, "edge e1 cannot ping");

        Assert.Equal(StatusCode.FailedPrecondition, status.StatusCode);
        Assert.StartsWith("edge e1 cannot ping: libpcap lacks a function Sdn calls (", status.Detail, StringComparison.Ordinal);
        Assert.EndsWith("); install Debian's with `apt-get install libpcap0.8`", status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_library_nobody_named_is_failed_precondition_with_the_loaders_message()
    {
        var status = FailureStatus.Of(new DllNotFoundException("libfoo.so.1: cannot open shared object file"), "edge e1 cannot trace");

        Assert.Equal((StatusCode.FailedPrecondition, "edge e1 cannot trace: a native library is missing: libfoo.so.1: cannot open shared object file"), (status.StatusCode, status.Detail));
    }

    [Fact]
    public void Anything_else_is_internal_with_the_exceptions_type_and_message()
    {
        var status = FailureStatus.Of(new NotSupportedException("the device is gone"), "edge e1 cannot mirror");

        Assert.Equal((StatusCode.Internal, "edge e1 cannot mirror: NotSupportedException: the device is gone"), (status.StatusCode, status.Detail));
    }

    private static partial class AbsentLibPcap
    {
        [LibraryImport("libpcap.so.0.8.absent", EntryPoint = "pcap_open_dead")]
        public static partial nint OpenDead(int linkType, int snapLength);
    }

    private static partial class LibPcapWithoutIt
    {
        [LibraryImport("libpcap.so.0.8", EntryPoint = "pcap_no_such_function")]
        public static partial void NoSuchFunction();
    }

    private static class FilterCompiler
    {
        public static readonly nint Handle = AbsentLibPcap.OpenDead(1, 65535);
    }
}
