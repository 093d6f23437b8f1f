using System.Buffers.Binary;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Sdn.Common.Packets;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Pipeline.Groups;
using Proto = Sdn.Contracts;

namespace Sdn.Fabric.Edge.Agent;

/// <summary>
/// Turns the southbound dataplane messages into the pipeline's own flow-mods and groups, refusing with a
/// <see cref="ProgramException"/> whatever the pipeline could not hold, so that a batch is checked in full
/// before anything of it is installed.
/// </summary>
internal static class DataplaneTranslator
{
    /// <param name="translated">
    /// Apply-actions already translated, by the instruction message: entries whose only instruction is one they
    /// share (as decoded batches share them) share its translation too. Pipeline instructions are never changed.
    /// </param>
    public static FlowMod Add(Proto.FlowEntry entry, int tableCount, Dictionary<Proto.Instruction, FlowInstructions>? translated = null)
    {
        var table = Table(entry.TableId, tableCount);
        if (entry.Priority > ushort.MaxValue)
        {
            throw new ProgramException($"flow in table {table}: priority {entry.Priority} is outside 0..65535");
        }

        return new FlowMod(
            FlowModCommand.Add,
            table,
            Match(entry),
            (int)entry.Priority,
            entry.Instructions is [{ KindCase: Proto.Instruction.KindOneofCase.ApplyActions } only] && translated is not null
                ? SharedInstructions(entry, tableCount, only, translated)
                : Instructions(entry, tableCount),
            entry.Cookie,
            IdleTimeout: TimeSpan.FromSeconds(entry.IdleTimeout),
            HardTimeout: TimeSpan.FromSeconds(entry.HardTimeout));
    }

    public static FlowMatch Match(Proto.FlowEntry entry)
    {
        var match = FlowMatch.Any;
        var fields = entry.Match;
        for (var i = 0; i < fields.Count; i++)
        {
            match = With(match, fields[i]);
        }

        return match;
    }

    /// <summary>A group; <paramref name="portOf"/> names the port number a bucket's watched port or link has, null when unknown.</summary>
    public static Group Group(Proto.Group group, Func<string, uint?> portOf)
    {
        var type = group.Type switch
        {
            Proto.GroupType.All => GroupType.All,
            Proto.GroupType.Select => GroupType.Select,
            Proto.GroupType.FastFailover => GroupType.FastFailover,
            _ => throw new ProgramException($"group {group.GroupId}: type {group.Type} is not ALL, SELECT or FAST_FAILOVER"),
        };

        var buckets = group.Buckets.Select((b, i) => new GroupBucket(
            (uint)i,
            [.. b.Actions.Select(Action)],
            string.IsNullOrEmpty(b.Watch) ? null : portOf(b.Watch) ?? throw new ProgramException($"group {group.GroupId}: bucket {i} watches '{b.Watch}', which is no port of this edge"),
            (int)Math.Max(1, b.Weight))).ToList();
        return new Group(group.GroupId, type, buckets);
    }

    /// <summary>What a table does with the packets no entry matches, as its table-miss entry's instructions.</summary>
    public static FlowInstructions Miss(Proto.TableConfig table, int tableCount) => table.Miss switch
    {
        Proto.TableMiss.Unspecified or Proto.TableMiss.Drop => FlowInstructions.DropPacket,
        Proto.TableMiss.Controller => FlowInstructions.Apply(FlowAction.Controller()),
        Proto.TableMiss.NextTable when table.TableId + 1 < tableCount => FlowInstructions.Goto((byte)(table.TableId + 1)),
        _ => throw new ProgramException($"table {table.TableId}: miss {table.Miss} is not possible here (the last table has no next table)"),
    };

    public static byte Table(uint tableId, int tableCount) =>
        tableId < tableCount ? (byte)tableId : throw new ProgramException($"table {tableId} does not exist; this edge has tables 0 to {tableCount - 1}");

    private static FlowInstructions SharedInstructions(Proto.FlowEntry entry, int tableCount, Proto.Instruction only, Dictionary<Proto.Instruction, FlowInstructions> translated)
    {
        if (!translated.TryGetValue(only, out var instructions))
        {
            instructions = Instructions(entry, tableCount);
            translated.Add(only, instructions);
        }

        return instructions;
    }

    private static FlowInstructions Instructions(Proto.FlowEntry entry, int tableCount)
    {
        var instructions = entry.Instructions;
        var actions = ActionCount(instructions) is var count and > 0 ? new FlowAction[count] : [];
        var written = 0;
        byte? next = null;
        ulong metadata = 0;
        ulong metadataMask = 0;
        for (var i = 0; i < instructions.Count; i++)
        {
            var instruction = instructions[i];
            switch (instruction.KindCase)
            {
                case Proto.Instruction.KindOneofCase.ApplyActions:
                    var applied = instruction.ApplyActions.Actions;
                    for (var j = 0; j < applied.Count; j++)
                    {
                        actions[written++] = Action(applied[j]);
                    }

                    break;
                case Proto.Instruction.KindOneofCase.WriteMetadata:
                    metadata = instruction.WriteMetadata.Value;
                    metadataMask = instruction.WriteMetadata.Mask;
                    break;
                case Proto.Instruction.KindOneofCase.GotoTable when instruction.GotoTable > entry.TableId:
                    next = Table(instruction.GotoTable, tableCount);
                    break;
                default:
                    throw new ProgramException($"flow in table {entry.TableId}: instruction {instruction} is empty, or a goto that does not move forward");
            }
        }

        return new FlowInstructions(actions, next) { MetadataValue = metadata, MetadataMask = metadataMask };
    }

    /// <summary>How many actions the apply-actions instructions hold together, so that the switch keeps them in an array of that size.</summary>
    private static int ActionCount(RepeatedField<Proto.Instruction> instructions)
    {
        var count = 0;
        for (var i = 0; i < instructions.Count; i++)
        {
            count += instructions[i].ApplyActions?.Actions.Count ?? 0;
        }

        return count;
    }

    private static FlowAction Action(Proto.FlowAction action) => action.KindCase switch
    {
        Proto.FlowAction.KindOneofCase.Output => FlowAction.Output(action.Output),
        Proto.FlowAction.KindOneofCase.Group => FlowAction.Group(action.Group),
        Proto.FlowAction.KindOneofCase.Drop => FlowAction.Drop(),
        Proto.FlowAction.KindOneofCase.Controller => FlowAction.Controller(),
        Proto.FlowAction.KindOneofCase.PushMpls => FlowAction.PushMpls((ushort)action.PushMpls),
        Proto.FlowAction.KindOneofCase.PopMpls => FlowAction.PopMpls((ushort)action.PopMpls),
        Proto.FlowAction.KindOneofCase.SetField => FlowAction.SetField(HeaderFieldOf(action.SetField.Field), Value(action.SetField.Value)),
        Proto.FlowAction.KindOneofCase.DecIpTtl => FlowAction.DecIpTtl(),
        Proto.FlowAction.KindOneofCase.DecMplsTtl => FlowAction.DecMplsTtl(),
        Proto.FlowAction.KindOneofCase.Mirror => FlowAction.Mirror(action.Mirror),
        Proto.FlowAction.KindOneofCase.ArpResponder => FlowAction.ArpResponder(Value(action.ArpResponder.TargetMac)),
        _ => throw new ProgramException($"action {action} is empty or unknown to this edge"),
    };

    private static HeaderField HeaderFieldOf(Proto.Field field) => field switch
    {
        Proto.Field.EthSrc => HeaderField.EthSrc,
        Proto.Field.EthDst => HeaderField.EthDst,
        Proto.Field.VlanVid => HeaderField.VlanVid,
        Proto.Field.VlanPcp => HeaderField.VlanPcp,
        Proto.Field.MplsLabel => HeaderField.MplsLabel,
        Proto.Field.MplsTc => HeaderField.MplsTc,
        Proto.Field.MplsTtl => HeaderField.MplsTtl,
        Proto.Field.Ipv4Src => HeaderField.Ipv4Src,
        Proto.Field.Ipv4Dst => HeaderField.Ipv4Dst,
        Proto.Field.IpDscp => HeaderField.IpDscp,
        Proto.Field.IpTtl => HeaderField.IpTtl,
        Proto.Field.L4Src => HeaderField.L4Src,
        Proto.Field.L4Dst => HeaderField.L4Dst,
        _ => throw new ProgramException($"set_field cannot rewrite {field}"),
    };

    private static FlowMatch With(FlowMatch match, Proto.FieldMatch field)
    {
        if (field.Field is Proto.Field.Ipv6Src or Proto.Field.Ipv6Dst)
        {
            var (high, low) = field.Field == Proto.Field.Ipv6Src ? (FlowField.Ipv6SrcHigh, FlowField.Ipv6SrcLow) : (FlowField.Ipv6DstHigh, FlowField.Ipv6DstLow);
            var value = Wide(field.Value);
            var mask = field.Mask.IsEmpty ? UInt128.MaxValue : Wide(field.Mask);
            return match.With(high, (ulong)(value >> 64), (ulong)(mask >> 64)).With(low, (ulong)value, (ulong)mask);
        }

        var mask64 = field.Mask.IsEmpty ? ulong.MaxValue : Value(field.Mask);
        return field.Field == Proto.Field.VlanVid
            ? match.With(FlowField.VlanTci, FlowKey.VlanTagPresent | (Value(field.Value) & 0xFFF), FlowKey.VlanTagPresent | (mask64 & 0xFFF))
            : match.With(FieldOf(field.Field), Value(field.Value), mask64);
    }

    private static FlowField FieldOf(Proto.Field field) => field switch
    {
        Proto.Field.InPort => FlowField.InPort,
        Proto.Field.Metadata => FlowField.Metadata,
        >= Proto.Field.Reg0 and <= Proto.Field.Reg7 => FlowField.Register(field - Proto.Field.Reg0),
        Proto.Field.EthSrc => FlowField.EthSrc,
        Proto.Field.EthDst => FlowField.EthDst,
        Proto.Field.EthType => FlowField.EthType,
        Proto.Field.MplsLabel => FlowField.MplsLabel,
        Proto.Field.MplsTc => FlowField.MplsTc,
        Proto.Field.MplsBos => FlowField.MplsBos,
        Proto.Field.MplsTtl => FlowField.MplsTtl,
        Proto.Field.Ipv4Src or Proto.Field.ArpSpa => FlowField.Ipv4Src,
        Proto.Field.Ipv4Dst or Proto.Field.ArpTpa => FlowField.Ipv4Dst,
        Proto.Field.IpProto => FlowField.IpProto,
        Proto.Field.IpDscp => FlowField.IpDscp,
        Proto.Field.IpTtl => FlowField.IpTtl,
        Proto.Field.L4Src => FlowField.L4Src,
        Proto.Field.L4Dst => FlowField.L4Dst,
        Proto.Field.ArpOp => FlowField.ArpOp,
        Proto.Field.IcmpType => FlowField.IcmpType,
        Proto.Field.IcmpCode => FlowField.IcmpCode,
        _ => throw new ProgramException($"this edge cannot match on {field}"),
    };

    /// <summary>A big-endian value of up to 8 bytes.</summary>
    private static ulong Value(ByteString bytes)
    {
        if (bytes.Length > 8)
        {
            throw new ProgramException($"a field value of {bytes.Length} bytes does not fit the field");
        }

        Span<byte> padded = stackalloc byte[8];
        bytes.Span.CopyTo(padded[(8 - bytes.Length)..]);
        return BinaryPrimitives.ReadUInt64BigEndian(padded);
    }

    private static UInt128 Wide(ByteString bytes) =>
        bytes.Length == 16 ? BinaryPrimitives.ReadUInt128BigEndian(bytes.Span) : throw new ProgramException($"an IPv6 value needs 16 bytes, not {bytes.Length}");
}
