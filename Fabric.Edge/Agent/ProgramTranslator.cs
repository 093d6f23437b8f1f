using System.Buffers.Binary;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Sdn.Common.Packets;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Nat;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Pipeline.Groups;

namespace Sdn.Fabric.Edge.Agent;

/// <summary>
/// Turns the southbound dataplane messages into the pipeline's own flow-mods and groups, refusing with a
/// <see cref="ProgramException"/> whatever the pipeline could not hold, so that a batch is checked in full
/// before anything of it is installed.
/// </summary>
internal static class ProgramTranslator
{
    /// <param name="translated">
    /// Apply-actions already translated, by the instruction message: entries whose only instruction is one they
    /// share (as decoded batches share them) share its translation too. Pipeline instructions are never changed.
    /// </param>
    public static FlowEdit Add(FlowEntry entry, int tableCount, Dictionary<Instruction, FlowInstructions>? translated = null)
    {
        var table = Table(entry.TableId, tableCount);
        if (entry.Priority > ushort.MaxValue)
        {
            throw new ProgramException($"flow in table {table}: priority {entry.Priority} is outside 0..65535");
        }

        return new FlowEdit(
            FlowEditCommand.Add,
            table,
            Match(entry),
            (int)entry.Priority,
            entry.Instructions is [{ KindCase: Instruction.KindOneofCase.ApplyActions } only] && translated is not null
                ? SharedInstructions(entry, tableCount, only, translated)
                : Instructions(entry, tableCount),
            entry.Cookie,
            IdleTimeout: TimeSpan.FromSeconds(entry.IdleTimeout),
            HardTimeout: TimeSpan.FromSeconds(entry.HardTimeout));
    }

    public static FlowMatch Match(FlowEntry entry)
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
    public static GroupEntry Group(Group group, Func<string, uint?> portOf)
    {
        var type = group.Type switch
        {
            GroupType.All => GroupKind.All,
            GroupType.Select => GroupKind.Select,
            GroupType.FastFailover => GroupKind.FastFailover,
            _ => throw new ProgramException($"group {group.GroupId}: type {group.Type} is not ALL, SELECT or FAST_FAILOVER"),
        };

        var buckets = group.Buckets.Select((b, i) => new GroupBucket(
            (uint)i,
            [.. b.Actions.Select(Action)],
            string.IsNullOrEmpty(b.Watch) ? null : portOf(b.Watch) ?? throw new ProgramException($"group {group.GroupId}: bucket {i} watches '{b.Watch}', which is no port of this edge"),
            (int)Math.Max(1, b.Weight))).ToList();
        return new GroupEntry(group.GroupId, type, buckets);
    }

    /// <summary>What a table does with the packets no entry matches, as its table-miss entry's instructions.</summary>
    public static FlowInstructions Miss(TableConfig table, int tableCount) => table.Miss switch
    {
        TableMiss.Unspecified or TableMiss.Drop => FlowInstructions.DropPacket,
        TableMiss.Controller => FlowInstructions.Apply(PipelineAction.Controller()),
        TableMiss.NextTable when table.TableId + 1 < tableCount => FlowInstructions.Goto((byte)(table.TableId + 1)),
        _ => throw new ProgramException($"table {table.TableId}: miss {table.Miss} is not possible here (the last table has no next table)"),
    };

    public static byte Table(uint tableId, int tableCount) =>
        tableId < tableCount ? (byte)tableId : throw new ProgramException($"table {tableId} does not exist; this edge has tables 0 to {tableCount - 1}");

    private static FlowInstructions SharedInstructions(FlowEntry entry, int tableCount, Instruction only, Dictionary<Instruction, FlowInstructions> translated)
    {
        if (!translated.TryGetValue(only, out var instructions))
        {
            instructions = Instructions(entry, tableCount);
            translated.Add(only, instructions);
        }

        return instructions;
    }

    private static FlowInstructions Instructions(FlowEntry entry, int tableCount)
    {
        var instructions = entry.Instructions;
        var actions = ActionCount(instructions) is var count and > 0 ? new PipelineAction[count] : [];
        var written = 0;
        byte? next = null;
        ulong metadata = 0;
        ulong metadataMask = 0;
        for (var i = 0; i < instructions.Count; i++)
        {
            var instruction = instructions[i];
            switch (instruction.KindCase)
            {
                case Instruction.KindOneofCase.ApplyActions:
                    var applied = instruction.ApplyActions.Actions;
                    for (var j = 0; j < applied.Count; j++)
                    {
                        actions[written++] = Action(applied[j]);
                    }

                    break;
                case Instruction.KindOneofCase.WriteMetadata:
                    metadata = instruction.WriteMetadata.Value;
                    metadataMask = instruction.WriteMetadata.Mask;
                    break;
                case Instruction.KindOneofCase.GotoTable when instruction.GotoTable > entry.TableId:
                    next = Table(instruction.GotoTable, tableCount);
                    break;
                default:
                    throw new ProgramException($"flow in table {entry.TableId}: instruction {instruction} is empty, or a goto that does not move forward");
            }
        }

        return new FlowInstructions(actions, next) { MetadataValue = metadata, MetadataMask = metadataMask };
    }

    /// <summary>How many actions the apply-actions instructions hold together, so that the switch keeps them in an array of that size.</summary>
    private static int ActionCount(RepeatedField<Instruction> instructions)
    {
        var count = 0;
        for (var i = 0; i < instructions.Count; i++)
        {
            count += instructions[i].ApplyActions?.Actions.Count ?? 0;
        }

        return count;
    }

    private static PipelineAction Action(FlowAction action) => action.KindCase switch
    {
        FlowAction.KindOneofCase.Output => PipelineAction.Output(action.Output),
        FlowAction.KindOneofCase.Group => PipelineAction.Group(action.Group),
        FlowAction.KindOneofCase.Drop => action.Drop.Reason switch
        {
            DropReason.Unspecified => PipelineAction.Drop(),
            DropReason.PortSecurity => PipelineAction.DropSpoofed(),
            _ => throw new ProgramException($"drop reason {action.Drop.Reason} is unknown to this edge"),
        },
        FlowAction.KindOneofCase.Controller => PipelineAction.Controller(),
        FlowAction.KindOneofCase.PushMpls => PipelineAction.PushMpls((ushort)action.PushMpls),
        FlowAction.KindOneofCase.PopMpls => PipelineAction.PopMpls((ushort)action.PopMpls),
        FlowAction.KindOneofCase.SetField => PipelineAction.SetField(HeaderFieldOf(action.SetField.Field), Value(action.SetField.Value)),
        FlowAction.KindOneofCase.DecIpTtl => PipelineAction.DecIpTtl(),
        FlowAction.KindOneofCase.DecMplsTtl => PipelineAction.DecMplsTtl(),
        FlowAction.KindOneofCase.Mirror => PipelineAction.Mirror(action.Mirror),
        FlowAction.KindOneofCase.ArpResponder => PipelineAction.ArpResponder(Value(action.ArpResponder.TargetMac)),
        FlowAction.KindOneofCase.NdResponder => PipelineAction.NdResponder(Wide(action.NdResponder.TargetIp), Value(action.NdResponder.TargetMac), action.NdResponder.Router),
        FlowAction.KindOneofCase.DhcpResponder => PipelineAction.DhcpResponder(OfferOf(action.DhcpResponder)),
        FlowAction.KindOneofCase.Ct => CtOf(action.Ct),
        FlowAction.KindOneofCase.LearnNeighbour => PipelineAction.LearnNeighbour(),
        FlowAction.KindOneofCase.ResolveNeighbour => ResolveOf(action.ResolveNeighbour),
        FlowAction.KindOneofCase.Loopback => PipelineAction.Loopback(action.Loopback),
        _ => throw new ProgramException($"action {action} is empty or unknown to this edge"),
    };

    private static PipelineAction CtOf(CtAction ct)
    {
        if (ct.Zone > ushort.MaxValue || (ct.HasTable && ct.Table > byte.MaxValue))
        {
            throw new ProgramException($"ct {ct} needs a zone of 0-65535 and a table of 0-255");
        }

        var translation = ct.Translation is { } given ? TranslationOf(given) : (NatTranslation?)null;
        if (translation is { } nat && ((!ct.Commit && nat.Side == NatSide.Source) || nat.Problem is not null))
        {
            throw new ProgramException($"ct {ct}: {nat.Problem ?? "a source translation needs commit"}");
        }

        return PipelineAction.Ct((ushort)ct.Zone, ct.Commit, ct.HasTable ? (byte)ct.Table : null, ct.Nat, translation);
    }

    private static PipelineAction ResolveOf(ResolveNeighbourAction resolve)
    {
        if (resolve.SenderIp.Length == 16 && resolve.NextHop.Length is 0 or 16)
        {
            var nextHop = resolve.NextHop.Length == 0 ? UInt128.Zero : Wide(resolve.NextHop);
            var sender = Wide(resolve.SenderIp);
            if (!Ipv6AddressBook.TryNumber(nextHop, out _) || !Ipv6AddressBook.TryNumber(sender, out _))
            {
                throw new ProgramException($"resolve_neighbour {resolve}: the edge names {Ipv6AddressBook.Capacity} IPv6 addresses in its actions at most");
            }

            return PipelineAction.ResolveNeighbour(resolve.Port, nextHop, sender);
        }

        if (resolve.NextHop.Length is not (0 or 4) || resolve.SenderIp.Length != 4)
        {
            throw new ProgramException($"resolve_neighbour {resolve} needs a sender_ip and a next_hop (or none) of one family: 4 bytes (IPv4) or 16 (IPv6)");
        }

        return PipelineAction.ResolveNeighbour(resolve.Port, resolve.NextHop.Length == 0 ? 0 : (uint)Value(resolve.NextHop), (uint)Value(resolve.SenderIp));
    }

    private static NatTranslation TranslationOf(CtNat nat)
    {
        if (nat.Address.Length is not (4 or 16) || nat.FirstPort > ushort.MaxValue || nat.LastPort > ushort.MaxValue || nat.ReplyZone > ushort.MaxValue
            || nat.Side is not (CtNatSide.Source or CtNatSide.Destination))
        {
            throw new ProgramException($"nat {nat} needs a 4-byte (IPv4) or 16-byte (IPv6) address, ports and a reply zone of 0-65535, and a side of source or destination");
        }

        var ipv6 = nat.Address.Length == 16;
        var address = ipv6 ? Wide(nat.Address) : Value(nat.Address);
        if (ipv6 && !Ipv6AddressBook.TryNumber(address, out _))
        {
            throw new ProgramException($"nat {nat}: the edge translates to {Ipv6AddressBook.Capacity} IPv6 addresses at most");
        }

        return new NatTranslation(
            nat.Side == CtNatSide.Source ? NatSide.Source : NatSide.Destination,
            address,
            (ushort)nat.FirstPort,
            (ushort)nat.LastPort,
            nat.HasReplyZone ? (ushort)nat.ReplyZone : null,
            ipv6);
    }

    private static DhcpOffer OfferOf(DhcpResponderAction responder)
    {
        if (responder.ClientIp.Length != 4 || responder.ServerIp.Length != 4 || responder.DnsServer.Length is not (0 or 4)
            || responder.PrefixLength is 0 or > 32 || responder.Mtu > ushort.MaxValue)
        {
            throw new ProgramException($"dhcp responder {responder} needs 4-byte addresses (a DNS server's may be left out), a prefix length of 1-32 and an MTU below 65536");
        }

        return new DhcpOffer(
            (uint)Value(responder.ClientIp), (byte)responder.PrefixLength, (uint)Value(responder.ServerIp), Value(responder.ServerMac), (ushort)responder.Mtu, responder.LeaseSeconds, (uint)Value(responder.DnsServer));
    }

    private static HeaderField HeaderFieldOf(Field field) => field switch
    {
        Field.EthSrc => HeaderField.EthSrc,
        Field.EthDst => HeaderField.EthDst,
        Field.VlanVid => HeaderField.VlanVid,
        Field.VlanPcp => HeaderField.VlanPcp,
        Field.MplsLabel => HeaderField.MplsLabel,
        Field.MplsTc => HeaderField.MplsTc,
        Field.MplsTtl => HeaderField.MplsTtl,
        Field.Ipv4Src => HeaderField.Ipv4Src,
        Field.Ipv4Dst => HeaderField.Ipv4Dst,
        Field.IpDscp => HeaderField.IpDscp,
        Field.IpTtl => HeaderField.IpTtl,
        Field.L4Src => HeaderField.L4Src,
        Field.L4Dst => HeaderField.L4Dst,
        _ => throw new ProgramException($"set_field cannot rewrite {field}"),
    };

    private static FlowMatch With(FlowMatch match, FieldMatch field)
    {
        if (field.Field is Field.Ipv6Src or Field.Ipv6Dst or Field.NdTarget)
        {
            var (high, low) = field.Field switch
            {
                Field.Ipv6Src => (FlowField.Ipv6SrcHigh, FlowField.Ipv6SrcLow),
                Field.Ipv6Dst => (FlowField.Ipv6DstHigh, FlowField.Ipv6DstLow),
                _ => (FlowField.NdTargetHigh, FlowField.NdTargetLow),
            };
            var value = Wide(field.Value);
            var mask = field.Mask.IsEmpty ? UInt128.MaxValue : Wide(field.Mask);
            return match.With(high, (ulong)(value >> 64), (ulong)(mask >> 64)).With(low, (ulong)value, (ulong)mask);
        }

        var mask64 = field.Mask.IsEmpty ? ulong.MaxValue : Value(field.Mask);
        return field.Field == Field.VlanVid
            ? match.With(FlowField.VlanTci, FlowKey.VlanTagPresent | (Value(field.Value) & 0xFFF), FlowKey.VlanTagPresent | (mask64 & 0xFFF))
            : match.With(FieldOf(field.Field), Value(field.Value), mask64);
    }

    private static FlowField FieldOf(Field field) => field switch
    {
        Field.InPort => FlowField.InPort,
        Field.Metadata => FlowField.Metadata,
        >= Field.Reg0 and <= Field.Reg7 => FlowField.Register(field - Field.Reg0),
        Field.EthSrc => FlowField.EthSrc,
        Field.EthDst => FlowField.EthDst,
        Field.EthType => FlowField.EthType,
        Field.MplsLabel => FlowField.MplsLabel,
        Field.MplsTc => FlowField.MplsTc,
        Field.MplsBos => FlowField.MplsBos,
        Field.MplsTtl => FlowField.MplsTtl,
        Field.Ipv4Src or Field.ArpSpa => FlowField.Ipv4Src,
        Field.Ipv4Dst or Field.ArpTpa => FlowField.Ipv4Dst,
        Field.IpProto => FlowField.IpProto,
        Field.IpDscp => FlowField.IpDscp,
        Field.IpTtl => FlowField.IpTtl,
        Field.L4Src => FlowField.L4Src,
        Field.L4Dst => FlowField.L4Dst,
        Field.ArpOp => FlowField.ArpOp,
        Field.IcmpType => FlowField.IcmpType,
        Field.IcmpCode => FlowField.IcmpCode,
        Field.CtState => FlowField.CtState,
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
