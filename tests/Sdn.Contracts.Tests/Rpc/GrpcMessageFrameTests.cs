using System.Buffers;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Sdn.Contracts.Rpc;

namespace Sdn.Contracts.Tests.Rpc;

public class GrpcMessageFrameTests
{
    [Fact]
    public void Reads_a_whole_message_and_leaves_the_next_one()
    {
        var bytes = Frame(new StringValue { Value = "one" }).Concat(Frame(new StringValue { Value = "two" })).ToArray();
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.True(GrpcMessageFrame.TryRead(ref buffer, 100, out var first));
        Assert.Equal("one", StringValue.Parser.ParseFrom(first).Value);
        Assert.True(GrpcMessageFrame.TryRead(ref buffer, 100, out var second));
        Assert.Equal("two", StringValue.Parser.ParseFrom(second).Value);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Returns_false_until_a_message_split_across_segments_is_whole()
    {
        var bytes = Frame(new StringValue { Value = "split across three segments" });
        for (var available = 0; available < bytes.Length; available++)
        {
            var partial = SegmentedSequence.Of(bytes[..available], 2, 4);
            Assert.False(GrpcMessageFrame.TryRead(ref partial, 100, out _));
            Assert.Equal(available, partial.Length);
        }

        var whole = SegmentedSequence.Of(bytes, 2, 4);
        Assert.True(GrpcMessageFrame.TryRead(ref whole, 100, out var message));
        Assert.Equal("split across three segments", StringValue.Parser.ParseFrom(message).Value);
    }

    [Fact]
    public void Rejects_an_oversize_message_from_its_header_alone()
    {
        var header = new byte[] { 0, 0, 0x10, 0, 0 };
        var buffer = new ReadOnlySequence<byte>(header);

        var error = Assert.Throws<RpcException>(() => GrpcMessageFrame.TryRead(ref buffer, 1024, out _));
        Assert.Equal(StatusCode.ResourceExhausted, error.Status);
    }

    [Fact]
    public void Rejects_a_compressed_message()
    {
        var buffer = new ReadOnlySequence<byte>([1, 0, 0, 0, 0]);

        var error = Assert.Throws<RpcException>(() => GrpcMessageFrame.TryRead(ref buffer, 1024, out _));
        Assert.Equal(StatusCode.Internal, error.Status);
    }

    [Fact]
    public void Writes_the_prefix_big_endian()
    {
        var bytes = Frame(new BytesValue { Value = ByteString.CopyFrom(new byte[300]) });

        Assert.Equal(new byte[] { 0, 0, 0, 0x01, 0x2F }, bytes[..5]);
        Assert.Equal(5 + 303, bytes.Length);
    }

    [Fact]
    public void Refuses_to_write_an_oversize_message()
    {
        var error = Assert.Throws<RpcException>(() =>
            GrpcMessageFrame.Write(new ArrayBufferWriter<byte>(), new BytesValue { Value = ByteString.CopyFrom(new byte[100]) }, 50));
        Assert.Equal(StatusCode.ResourceExhausted, error.Status);
    }

    private static byte[] Frame(IMessage message)
    {
        var writer = new ArrayBufferWriter<byte>();
        GrpcMessageFrame.Write(writer, message, int.MaxValue);
        return writer.WrittenSpan.ToArray();
    }
}
