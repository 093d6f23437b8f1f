using System.Buffers;
using Google.Protobuf;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;

namespace Sdn.Contracts.Tests.Southbound;

/// <summary>The agent's hand-written batch decoder gives what Google.Protobuf's parser gives, for any bytes.</summary>
public class ControllerMessageDecoderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_batches_decode_as_the_generated_parser_decodes_them(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 50; i++)
        {
            var bytes = new ControllerMessage { Batch = Batch(random) }.ToByteArray();

            AssertDecodesAlike(bytes);
        }
    }

    [Fact]
    public void A_batch_split_across_buffer_segments_decodes_whole()
    {
        var bytes = new ControllerMessage { Batch = Batch(new Random(5)) }.ToByteArray();

        Assert.Equal(ControllerMessage.Parser.ParseFrom(bytes), ControllerMessageDecoder.Decode(SegmentedSequence.Every(bytes, 7)));
    }

    [Fact]
    public void Flow_mods_keep_repeated_fields_in_arrays_of_their_size()
    {
        var entry = new FlowEntry { TableId = 3, Priority = 100, Match = { Exact(Field.EthDst, 6), Exact(Field.Metadata, 8) } };
        entry.Instructions.Add(new Instruction { ApplyActions = new ApplyActions { Actions = { new FlowAction { Output = 1 } } } });
        var batch = new ProgramBatch { Version = 2, FlowMods = { new FlowMod { Op = ModOp.Add, Entry = entry } } };

        var decoded = ControllerMessageDecoder.Decode(new ReadOnlySequence<byte>(new ControllerMessage { Batch = batch }.ToByteArray())).Batch.FlowMods[0].Entry;

        Assert.Equal(entry, decoded);
        Assert.Equal(2, decoded.Match.Capacity);
        Assert.Equal(1, decoded.Instructions.Capacity);
        Assert.Equal(1, decoded.Instructions[0].ApplyActions.Actions.Capacity);
    }

    [Fact]
    public void Field_matches_and_instructions_that_flow_mods_repeat_are_decoded_once_and_shared()
    {
        var network = new FieldMatch { Field = Field.Metadata, Value = ByteString.CopyFrom(0, 0, 0, 1), Mask = ByteString.CopyFrom(0, 0, 0xFF, 0xFF) };
        var output = new Instruction { ApplyActions = new ApplyActions { Actions = { new FlowAction { Output = 1 } } } };
        var batch = new ProgramBatch();
        for (var i = 0; i < 3; i++)
        {
            batch.FlowMods.Add(new FlowMod { Op = ModOp.Add, Entry = new FlowEntry { Match = { network, Exact(Field.EthDst, 6 - i) }, Instructions = { output } } });
        }

        var decoded = ControllerMessageDecoder.Decode(new ReadOnlySequence<byte>(new ControllerMessage { Batch = batch }.ToByteArray())).Batch.FlowMods.Select(m => m.Entry).ToList();

        Assert.Equal(batch.FlowMods.Select(m => m.Entry), decoded);
        Assert.Same(decoded[0].Match[0], decoded[2].Match[0]);
        Assert.Same(decoded[0].Instructions[0], decoded[2].Instructions[0]);
        Assert.NotSame(decoded[0].Match[1], decoded[2].Match[1]);
    }

    [Fact]
    public void Nd_target_matches_nd_responders_and_port_security_drops_decode_whole()
    {
        var target = ByteString.CopyFrom([0xFD, .. new byte[14], 1]);
        var solicitations = new FlowEntry
        {
            TableId = 2,
            Priority = 100,
            Match = { new FieldMatch { Field = Field.NdTarget, Value = target } },
            Instructions = { Apply(new FlowAction { NdResponder = new NdResponderAction { TargetIp = target, TargetMac = ByteString.CopyFrom(2, 0, 0, 0, 0, 1), Router = true } }) },
        };
        var spoofed = new FlowEntry { TableId = 1, Priority = 10, Instructions = { Apply(new FlowAction { Drop = new DropAction { Reason = DropReason.PortSecurity } }) } };
        var batch = new ProgramBatch { FlowMods = { new FlowMod { Entry = solicitations }, new FlowMod { Entry = spoofed } } };
        var bytes = new ControllerMessage { Batch = batch }.ToByteArray();

        var decoded = ControllerMessageDecoder.Decode(new ReadOnlySequence<byte>(bytes)).Batch;

        Assert.Equal(batch, decoded);
        Assert.Equal(Field.NdTarget, decoded.FlowMods[0].Entry.Match[0].Field);
        Assert.True(decoded.FlowMods[0].Entry.Instructions[0].ApplyActions.Actions[0].NdResponder.Router);
        Assert.Equal(DropReason.PortSecurity, decoded.FlowMods[1].Entry.Instructions[0].ApplyActions.Actions[0].Drop.Reason);
        AssertDecodesAlike(bytes);
    }

    [Fact]
    public void Messages_other_than_batches_decode_as_the_generated_parser_decodes_them()
    {
        AssertDecodesAlike(new ControllerMessage { Trace = new AgentTraceRequest { RequestId = 7, Port = "vnic", Packet = ByteString.CopyFrom(1, 2, 3) } }.ToByteArray());
        AssertDecodesAlike(new ControllerMessage { RequestStop = new RequestStop { RequestId = 9 } }.ToByteArray());
        AssertDecodesAlike(new ControllerMessage().ToByteArray());
    }

    [Fact]
    public void Fields_the_decoder_does_not_expect_are_kept_as_the_generated_parser_keeps_them()
    {
        var entry = new FlowEntry { TableId = 1, Match = { Exact(Field.EthDst, 6) } }.ToByteString();
        var other = new FlowEntry { Priority = 5, Match = { Exact(Field.InPort, 4) } }.ToByteString();

        // An unknown field in an entry; an entry given twice, which protobuf merges; a oneof given twice in an instruction.
        AssertDecodesAlike(Envelope(FlowModBytes(Concat(entry, Tagged(99, 7)))));
        AssertDecodesAlike(Envelope(FlowModBytes(entry, other)));
        var twoKinds = Concat(Tagged(Instruction.GotoTableFieldNumber, 4), new Instruction { ApplyActions = new ApplyActions() }.ToByteString());
        AssertDecodesAlike(Envelope(FlowModBytes(Concat(entry, LengthDelimited(FlowEntry.InstructionsFieldNumber, twoKinds)))));
        AssertDecodesAlike(Concat(ByteString.CopyFrom(Envelope(FlowModBytes(entry))), Tagged(30, 1)).ToByteArray());
    }

    [Fact]
    public void Malformed_bytes_fail_as_the_generated_parser_fails()
    {
        var bytes = new ControllerMessage { Batch = Batch(new Random(6)) }.ToByteArray();
        var random = new Random(7);
        for (var i = 0; i < 300; i++)
        {
            var damaged = bytes[..random.Next(bytes.Length)];
            if (i % 2 == 0 && damaged.Length > 0)
            {
                damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
            }

            AssertDecodesAlike(damaged);
        }
    }

    [Fact]
    public void A_truncated_flow_mod_is_refused_with_protobufs_error()
    {
        var bytes = new ControllerMessage { Batch = Batch(new Random(8)) }.ToByteArray();

        Assert.Throws<InvalidProtocolBufferException>(() => ControllerMessageDecoder.Decode(new ReadOnlySequence<byte>(bytes[..^3])));
    }

    /// <summary>Both decoders give equal messages, or both throw protobuf's exception.</summary>
    private static void AssertDecodesAlike(byte[] bytes)
    {
        ControllerMessage expected;
        try
        {
            expected = ControllerMessage.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            Assert.Throws<InvalidProtocolBufferException>(() => ControllerMessageDecoder.Decode(new ReadOnlySequence<byte>(bytes)));
            return;
        }

        Assert.Equal(expected, ControllerMessageDecoder.Decode(new ReadOnlySequence<byte>(bytes)));
        Assert.Equal(expected, ControllerMessageDecoder.Decode(SegmentedSequence.Every(bytes, 5)));
    }

    private static ProgramBatch Batch(Random random)
    {
        var batch = new ProgramBatch { Version = (ulong)random.NextInt64(), BaseVersion = (ulong)random.Next(), FullState = random.Next(2) == 0 };
        batch.Tables.Add(new TableConfig { TableId = (uint)random.Next(8), Name = "forward", Miss = TableMiss.NextTable });
        batch.PortMods.Add(new PortMod { Op = ModOp.Add, Port = new PortConfig { Number = 1, Name = "vnic", Kind = PortKind.Vnic, Mac = "02:00:00:00:00:01" } });
        batch.GroupMods.Add(new GroupMod { Op = ModOp.Modify, Group = new Group { GroupId = 4, Type = GroupType.Select, Buckets = { new Bucket { Weight = 2, Actions = { Action(random) } } } } });
        batch.LfibMods.Add(new LfibMod { Op = ModOp.Delete, Entry = new LfibEntry { InLabel = 100 } });
        for (var i = random.Next(40); i > 0; i--)
        {
            batch.FlowMods.Add(new FlowMod { Op = (ModOp)random.Next(4), Entry = Entry(random) });
        }

        return batch;
    }

    private static FlowEntry Entry(Random random)
    {
        var entry = new FlowEntry
        {
            TableId = (uint)random.Next(256),
            Priority = (uint)random.Next(70_000),
            Cookie = (ulong)random.NextInt64(),
            IdleTimeout = (uint)random.Next(3),
            HardTimeout = random.Next(2) == 0 ? uint.MaxValue : 0,
        };
        for (var i = random.Next(5); i > 0; i--)
        {
            entry.Match.Add(new FieldMatch { Field = (Field)random.Next(1, 35), Value = RandomBytes(random, random.Next(17)), Mask = RandomBytes(random, random.Next(3) * 4) });
        }

        for (var i = random.Next(4); i > 0; i--)
        {
            entry.Instructions.Add(random.Next(3) switch
            {
                0 => new Instruction { ApplyActions = new ApplyActions { Actions = { Enumerable.Range(0, random.Next(4)).Select(_ => Action(random)) } } },
                1 => new Instruction { WriteMetadata = new WriteMetadata { Value = (ulong)random.NextInt64(), Mask = ulong.MaxValue } },
                _ => new Instruction { GotoTable = (uint)random.Next(8) },
            });
        }

        return entry;
    }

    private static FlowAction Action(Random random) => random.Next(13) switch
    {
        0 => new FlowAction { Output = (uint)random.Next() },
        1 => new FlowAction { Group = (uint)random.Next(10) },
        2 => new FlowAction { Drop = new DropAction() },
        3 => new FlowAction { Controller = new ControllerAction { MaxLength = 128, Reason = 2 } },
        4 => new FlowAction { PushMpls = 0x8847 },
        5 => new FlowAction { PopMpls = 0x0800 },
        6 => new FlowAction { SetField = new FieldValue { Field = Field.MplsLabel, Value = RandomBytes(random, 4) } },
        7 => new FlowAction { DecIpTtl = new EmptyAction() },
        8 => new FlowAction { DecMplsTtl = new EmptyAction() },
        9 => new FlowAction { Mirror = 0 },
        10 => new FlowAction { Drop = new DropAction { Reason = DropReason.PortSecurity } },
        11 => new FlowAction { NdResponder = new NdResponderAction { TargetIp = RandomBytes(random, 16), TargetMac = RandomBytes(random, 6), Router = random.Next(2) == 0 } },
        _ => new FlowAction { ArpResponder = new ArpResponderAction { TargetIp = RandomBytes(random, 4), TargetMac = RandomBytes(random, 6) } },
    };

    private static Instruction Apply(FlowAction action) => new() { ApplyActions = new ApplyActions { Actions = { action } } };

    private static ByteString RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return ByteString.CopyFrom(bytes);
    }

    private static FieldMatch Exact(Field field, int length) => new() { Field = field, Value = ByteString.CopyFrom(new byte[length]) };

    /// <summary>A ControllerMessage holding a batch of one flow-mod, written out by hand.</summary>
    private static byte[] Envelope(ByteString flowMod) =>
        LengthDelimited(ControllerMessage.BatchFieldNumber, LengthDelimited(ProgramBatch.FlowModsFieldNumber, flowMod)).ToByteArray();

    private static ByteString FlowModBytes(params ByteString[] entries) =>
        Concat([Tagged(FlowMod.OpFieldNumber, (ulong)ModOp.Add), .. entries.Select(e => LengthDelimited(FlowMod.EntryFieldNumber, e))]);

    private static ByteString Tagged(int field, ulong value) => Written(o =>
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteUInt64(value);
    });

    private static ByteString LengthDelimited(int field, ByteString payload) => Written(o =>
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(payload);
    });

    private static ByteString Written(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        write(output);
        output.Flush();
        return ByteString.CopyFrom(stream.ToArray());
    }

    private static ByteString Concat(params ByteString[] parts) => ByteString.CopyFrom([.. parts.SelectMany(p => p.ToByteArray())]);
}
