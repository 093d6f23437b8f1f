namespace Sdn.Common.Capture.Native;

/// <summary>
/// The native libraries Sdn loads besides libc, each with the Debian package that installs it: the one place that
/// knows both, so that whoever finds one missing (an agent starting a capture or a ping, the controller checking a
/// capture filter) says what is missing and which package to install. The `sdn` script checks for the same packages.
/// </summary>
public static class NativePackages
{
    private static readonly (string Name, string File, string Package)[] Libraries =
    [
        ("libpcap", LibPcap.Library, "libpcap0.8"),
    ];

    /// <summary>
    /// When <paramref name="error"/>, or an exception it wraps (as a <see cref="TypeInitializationException"/> does), is
    /// a native library that could not be loaded or lacks a function, what is missing and how to install it, for
    /// example "libpcap is not installed; install it with `apt-get install libpcap0.8`"; otherwise null.
    /// </summary>
    public static string? Problem(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is DllNotFoundException or EntryPointNotFoundException)
            {
                var message = e.Message;
                var (name, _, package) = Array.Find(Libraries, l => message.Contains(l.File, StringComparison.Ordinal));
                return package is null ? $"a native library is missing: {message}"
                    : e is DllNotFoundException ? $"{name} is not installed; install it with `apt-get install {package}`"
                    : $"{name} lacks a function Sdn calls ({message}); install Debian's with `apt-get install {package}`";
            }
        }

        return null;
    }
}
