using System.Collections.Concurrent;
using Sdn.Vmm.Guests;

namespace Sdn.Cli.Hosting;

/// <summary>The built-in applications' images, each assembled once and shared by every VM that runs it.</summary>
internal static class GuestImages
{
    private static readonly ConcurrentDictionary<GuestApp, GuestImage> Built = new();

    public static GuestImage For(GuestApp app) => Built.GetOrAdd(app, MicroGuest.Build);
}
