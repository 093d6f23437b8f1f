using System.Buffers.Binary;

namespace Sdn.Fabric.Core.Links.Liveness;

/// <summary>
/// The mandatory section of a BFD control packet (RFC 5880 §4.1); no authentication section.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Vers |  Diag   |Sta|P|F|C|A|D|M|  Detect Mult  |    Length     |
/// |                       My Discriminator                        |
/// |                      Your Discriminator                       |
/// |                    Desired Min TX Interval                    |
/// |                   Required Min RX Interval                    |
/// |                 Required Min Echo RX Interval                 |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Intervals are in microseconds.
/// </summary>
public readonly record struct BfdControlPacket(
    LivenessState State,
    LivenessDiagnostic Diagnostic,
    byte DetectMultiplier,
    uint MyDiscriminator,
    uint YourDiscriminator,
    uint DesiredMinTxMicroseconds,
    uint RequiredMinRxMicroseconds)
{
    public const int Size = 24;
    public const int Version = 1;

    private const byte AuthenticationPresentFlag = 0x04;
    private const byte MultipointFlag = 0x01;

    public void Write(Span<byte> bytes)
    {
        bytes[0] = (byte)((Version << 5) | ((int)Diagnostic & 0x1F));
        bytes[1] = (byte)((int)State << 6);
        bytes[2] = DetectMultiplier;
        bytes[3] = Size;
        BinaryPrimitives.WriteUInt32BigEndian(bytes[4..], MyDiscriminator);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[8..], YourDiscriminator);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[12..], DesiredMinTxMicroseconds);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[16..], RequiredMinRxMicroseconds);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[20..], 0);
    }

    /// <summary>
    /// Reads and validates a packet as RFC 5880 §6.8.6 requires before any state is touched: version 1,
    /// a length that fits, no authentication, a nonzero detect multiplier and my-discriminator, no multipoint.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out BfdControlPacket packet)
    {
        packet = default;
        if (bytes.Length < Size || bytes[0] >> 5 != Version || bytes[3] < Size || bytes[3] > bytes.Length
            || (bytes[1] & (AuthenticationPresentFlag | MultipointFlag)) != 0 || bytes[2] == 0)
        {
            return false;
        }

        packet = new BfdControlPacket(
            (LivenessState)(bytes[1] >> 6),
            (LivenessDiagnostic)(bytes[0] & 0x1F),
            bytes[2],
            BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]));
        return packet.MyDiscriminator != 0;
    }
}
