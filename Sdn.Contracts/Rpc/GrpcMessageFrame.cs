using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace Sdn.Contracts.Rpc;

/// <summary>
/// The gRPC Length-Prefixed-Message that carries every request and response message in the
/// DATA frames of a stream (PROTOCOL-HTTP2.md, "Length-Prefixed-Message").
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Compressed-Flag |      Message-Length (32 bits, big-endian)   ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ... Message-Length  |  Message (Message-Length octets)          ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// A message may span several DATA frames and a DATA frame may hold several messages, so the
/// parser works on whatever the transport has buffered so far.
/// </summary>
internal static class GrpcMessageFrame
{
    public const int HeaderLength = 5;

    /// <summary>
    /// Takes one whole message off the front of <paramref name="buffer"/>. Returns false, leaving
    /// the buffer as it was, until the whole message has arrived.
    /// </summary>
    /// <exception cref="RpcException">
    /// RESOURCE_EXHAUSTED when the announced length exceeds <paramref name="maxMessageLength"/>
    /// (checked before waiting for the body); INTERNAL for a compressed message, since this layer
    /// never offers a grpc-encoding.
    /// </exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxMessageLength, out ReadOnlySequence<byte> message)
    {
        message = default;
        if (buffer.Length < HeaderLength)
        {
            return false;
        }

        Span<byte> scratch = stackalloc byte[HeaderLength];
        var header = buffer.FirstSpan.Length >= HeaderLength ? buffer.FirstSpan[..HeaderLength] : CopyHeader(buffer, scratch);

        if (header[0] != 0)
        {
            throw new RpcException(StatusCode.Internal, $"received a message with compressed-flag {header[0]}, but no grpc-encoding was negotiated; send uncompressed messages");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageLength)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"received message larger than max ({length} vs. {maxMessageLength} bytes)");
        }

        if (buffer.Length - HeaderLength < length)
        {
            return false;
        }

        message = buffer.Slice(HeaderLength, length);
        buffer = buffer.Slice(message.End);
        return true;
    }

    /// <summary>Appends <paramref name="message"/> with its 5-byte prefix to <paramref name="writer"/>.</summary>
    /// <exception cref="RpcException">RESOURCE_EXHAUSTED when the message exceeds <paramref name="maxMessageLength"/>.</exception>
    public static void Write(IBufferWriter<byte> writer, IMessage message, int maxMessageLength)
    {
        var length = message.CalculateSize();
        if (length > maxMessageLength)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"sending message larger than max ({length} vs. {maxMessageLength} bytes)");
        }

        var frame = writer.GetSpan(HeaderLength + length);
        frame[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(frame[1..], (uint)length);
        message.WriteTo(frame.Slice(HeaderLength, length));
        writer.Advance(HeaderLength + length);
    }

    private static ReadOnlySpan<byte> CopyHeader(in ReadOnlySequence<byte> buffer, Span<byte> scratch)
    {
        buffer.Slice(0, HeaderLength).CopyTo(scratch);
        return scratch;
    }
}
