using System.Runtime.CompilerServices;
using Sdn.Common.Packets;

namespace Sdn.Common.Capture;

/// <summary>
/// The capture hook of one port. With no capture attached, <see cref="Offer"/> costs a field
/// load and one predictable branch; the datapath calls it for every frame in each direction.
/// </summary>
/// <remarks>
/// Sessions are held in an array that is replaced, never changed in place, so the datapath reads
/// it without a lock while captures come and go.
/// </remarks>
public sealed class CaptureTap
{
    private readonly Lock _gate = new();
    private Attachment[] _attachments = [];

    public bool IsActive => _attachments.Length != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Offer(ReadOnlySpan<byte> frame, CaptureDirection direction)
    {
        var attachments = _attachments;
        if (attachments.Length != 0)
        {
            OfferToSessions(attachments, frame, direction);
        }
    }

    /// <summary>Offers every frame of <paramref name="burst"/>; with no capture attached, one predictable branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OfferBurst(PacketBurst burst, CaptureDirection direction)
    {
        var attachments = _attachments;
        if (attachments.Length != 0)
        {
            OfferBurstToSessions(attachments, burst, direction);
        }
    }

    /// <summary>Offers the frames of <paramref name="burst"/> that <paramref name="frames"/> numbers; with no capture attached, one predictable branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OfferFrames(PacketBurst burst, ReadOnlySpan<byte> frames, CaptureDirection direction)
    {
        var attachments = _attachments;
        if (attachments.Length != 0)
        {
            OfferFramesToSessions(attachments, burst, frames, direction);
        }
    }

    /// <summary>Feeds this port's frames to <paramref name="session"/> as its port number <paramref name="portIndex"/>.</summary>
    public void Attach(CaptureSession session, int portIndex)
    {
        lock (_gate)
        {
            _attachments = [.. _attachments, new Attachment(session, portIndex)];
        }
    }

    public void Detach(CaptureSession session)
    {
        lock (_gate)
        {
            _attachments = Array.FindAll(_attachments, a => a.Session != session);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void OfferToSessions(Attachment[] attachments, ReadOnlySpan<byte> frame, CaptureDirection direction)
    {
        foreach (var attachment in attachments)
        {
            attachment.Session.Offer(frame, direction, attachment.PortIndex);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void OfferBurstToSessions(Attachment[] attachments, PacketBurst burst, CaptureDirection direction)
    {
        foreach (var attachment in attachments)
        {
            attachment.Session.OfferBurst(burst, direction, attachment.PortIndex);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void OfferFramesToSessions(Attachment[] attachments, PacketBurst burst, ReadOnlySpan<byte> frames, CaptureDirection direction)
    {
        foreach (var frame in frames)
        {
            OfferToSessions(attachments, burst.Frame(frame), direction);
        }
    }

    private sealed record Attachment(CaptureSession Session, int PortIndex);
}
