using System.Buffers;
using Google.Protobuf;
using Sdn.Fabric.Core.Protos;
using static Sdn.Fabric.Core.Southbound.WireReader;

namespace Sdn.Fabric.Core.Southbound;

/// <summary>
/// Decodes the controller's messages on an agent into the generated types, reading a batch's flow-mods by hand.
/// </summary>
/// <remarks>
/// A batch brings flow-mods by the ten thousand, and the agent holds every one for as long as its flow is
/// installed. Google.Protobuf's parser gives each repeated field of each of them an array of 8 the moment it
/// holds one element, which for a one-field, one-action entry is most of what the agent keeps of it; here
/// every repeated field is counted first and gets an array of the size it needs. And the field matches and
/// instructions that many flow-mods of a batch repeat are decoded once and shared (<see cref="SharedMessages{T}"/>).
/// <para>The .proto stays the schema and the generated types the result. The hand-written path reads only
/// the shapes the controller sends: whatever else it meets (a field it does not know, a field of the wrong
/// wire type, a oneof or message field given twice, bytes that do not parse) sends the flow-mod, action or
/// whole message to the generated parser, so the result is always what Google.Protobuf gives for the same
/// bytes, and malformed input fails with its <see cref="InvalidProtocolBufferException"/>.</para>
/// </remarks>
public static class ControllerMessageDecoder
{
    private const int BatchField = 1;

    public static ControllerMessage Decode(ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            return TryBatchMessage(payload.FirstSpan) ?? ControllerMessage.Parser.ParseFrom(payload);
        }

        // The decoded messages copy what they keep, so a pooled buffer serves a payload split across segments.
        var length = checked((int)payload.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            payload.CopyTo(buffer);
            var bytes = buffer.AsSpan(0, length);
            return TryBatchMessage(bytes) ?? ControllerMessage.Parser.ParseFrom(bytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A message that holds a batch and nothing else; null for any other message.</summary>
    private static ControllerMessage? TryBatchMessage(ReadOnlySpan<byte> bytes)
    {
        var reader = new WireReader(bytes);
        if (!reader.TryReadTag(out var field, out var wireType) || field != BatchField || wireType != LengthDelimited
            || !reader.TryReadLengthDelimited(out var batch) || !reader.AtEnd)
        {
            return null;
        }

        return TryBatch(batch) is { } decoded ? new ControllerMessage { Batch = decoded } : null;
    }

    private static ProgramBatch? TryBatch(ReadOnlySpan<byte> bytes)
    {
        var batch = new ProgramBatch();
        batch.FlowMods.Capacity = CountOf(bytes, ProgramBatch.FlowModsFieldNumber);
        var matches = new SharedMessages<FieldMatch>();
        var instructions = new SharedMessages<Instruction>();
        var reader = new WireReader(bytes);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return null;
            }

            ulong value;
            ReadOnlySpan<byte> payload;
            switch (field)
            {
                case ProgramBatch.VersionFieldNumber when wireType == Varint && reader.TryReadVarint(out value):
                    batch.Version = value;
                    break;
                case ProgramBatch.BaseVersionFieldNumber when wireType == Varint && reader.TryReadVarint(out value):
                    batch.BaseVersion = value;
                    break;
                case ProgramBatch.FullStateFieldNumber when wireType == Varint && reader.TryReadVarint(out value):
                    batch.FullState = value != 0;
                    break;
                case ProgramBatch.TablesFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    batch.Tables.Add(TableConfig.Parser.ParseFrom(payload));
                    break;
                case ProgramBatch.PortModsFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    batch.PortMods.Add(PortMod.Parser.ParseFrom(payload));
                    break;
                case ProgramBatch.GroupModsFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    batch.GroupMods.Add(GroupMod.Parser.ParseFrom(payload));
                    break;
                case ProgramBatch.FlowModsFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    batch.FlowMods.Add(TryFlowMod(payload, matches, instructions) ?? FlowMod.Parser.ParseFrom(payload));
                    break;
                case ProgramBatch.LfibModsFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    batch.LfibMods.Add(LfibMod.Parser.ParseFrom(payload));
                    break;
                default:
                    return null;
            }
        }

        return batch;
    }

    private static FlowMod? TryFlowMod(ReadOnlySpan<byte> bytes, SharedMessages<FieldMatch> matches, SharedMessages<Instruction> instructions)
    {
        var mod = new FlowMod();
        var reader = new WireReader(bytes);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return null;
            }

            switch (field)
            {
                case FlowMod.OpFieldNumber when wireType == Varint && reader.TryReadVarint(out var op):
                    mod.Op = (ModOp)(int)op;
                    break;
                case FlowMod.EntryFieldNumber when wireType == LengthDelimited && mod.Entry is null && reader.TryReadLengthDelimited(out var entry):
                    mod.Entry = TryFlowEntry(entry, matches, instructions);
                    if (mod.Entry is null)
                    {
                        return null;
                    }

                    break;
                default:
                    return null;
            }
        }

        return mod;
    }

    private static FlowEntry? TryFlowEntry(ReadOnlySpan<byte> bytes, SharedMessages<FieldMatch> matches, SharedMessages<Instruction> instructions)
    {
        var entry = new FlowEntry();
        entry.Match.Capacity = CountOf(bytes, FlowEntry.MatchFieldNumber);
        entry.Instructions.Capacity = CountOf(bytes, FlowEntry.InstructionsFieldNumber);
        var reader = new WireReader(bytes);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return null;
            }

            ulong value;
            ReadOnlySpan<byte> payload;
            switch (field)
            {
                case FlowEntry.TableIdFieldNumber when wireType == Varint && reader.TryReadVarint(out value):
                    entry.TableId = (uint)value;
                    break;
                case FlowEntry.PriorityFieldNumber when wireType == Varint && reader.TryReadVarint(out value):
                    entry.Priority = (uint)value;
                    break;
                case FlowEntry.MatchFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload) && matches.GetOrDecode(payload, TryFieldMatch) is { } match:
                    entry.Match.Add(match);
                    break;
                case FlowEntry.InstructionsFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload) && instructions.GetOrDecode(payload, TryInstruction) is { } instruction:
                    entry.Instructions.Add(instruction);
                    break;
                case FlowEntry.CookieFieldNumber when wireType == WireReader.Fixed64 && reader.TryReadFixed64(out value):
                    entry.Cookie = value;
                    break;
                case FlowEntry.IdleTimeoutFieldNumber when wireType == Varint && reader.TryReadVarint(out value):
                    entry.IdleTimeout = (uint)value;
                    break;
                case FlowEntry.HardTimeoutFieldNumber when wireType == Varint && reader.TryReadVarint(out value):
                    entry.HardTimeout = (uint)value;
                    break;
                default:
                    return null;
            }
        }

        return entry;
    }

    private static FieldMatch? TryFieldMatch(ReadOnlySpan<byte> bytes)
    {
        var match = new FieldMatch();
        var reader = new WireReader(bytes);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return null;
            }

            ReadOnlySpan<byte> payload;
            switch (field)
            {
                case FieldMatch.FieldFieldNumber when wireType == Varint && reader.TryReadVarint(out var number):
                    match.Field = (Field)(int)number;
                    break;
                case FieldMatch.ValueFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    match.Value = Bytes(payload);
                    break;
                case FieldMatch.MaskFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    match.Mask = Bytes(payload);
                    break;
                default:
                    return null;
            }
        }

        return match;
    }

    private static Instruction? TryInstruction(ReadOnlySpan<byte> bytes)
    {
        var instruction = new Instruction();
        var reader = new WireReader(bytes);
        while (!reader.AtEnd)
        {
            // A oneof given twice is for the generated parser, which merges or replaces as the kinds say.
            if (!reader.TryReadTag(out var field, out var wireType) || instruction.KindCase != Instruction.KindOneofCase.None)
            {
                return null;
            }

            ReadOnlySpan<byte> payload;
            switch (field)
            {
                case Instruction.ApplyActionsFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload) && TryApplyActions(payload) is { } actions:
                    instruction.ApplyActions = actions;
                    break;
                case Instruction.WriteMetadataFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    instruction.WriteMetadata = WriteMetadata.Parser.ParseFrom(payload);
                    break;
                case Instruction.GotoTableFieldNumber when wireType == Varint && reader.TryReadVarint(out var table):
                    instruction.GotoTable = (uint)table;
                    break;
                default:
                    return null;
            }
        }

        return instruction;
    }

    private static ApplyActions? TryApplyActions(ReadOnlySpan<byte> bytes)
    {
        var apply = new ApplyActions();
        apply.Actions.Capacity = CountOf(bytes, ApplyActions.ActionsFieldNumber);
        var reader = new WireReader(bytes);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType) || field != ApplyActions.ActionsFieldNumber
                || wireType != LengthDelimited || !reader.TryReadLengthDelimited(out var action))
            {
                return null;
            }

            apply.Actions.Add(TryPortOrLabelAction(action) ?? FlowAction.Parser.ParseFrom(action));
        }

        return apply;
    }

    /// <summary>An action whose one field is a number (output, group, push or pop MPLS, mirror); null for the rest.</summary>
    private static FlowAction? TryPortOrLabelAction(ReadOnlySpan<byte> bytes)
    {
        var reader = new WireReader(bytes);
        if (!reader.TryReadTag(out var field, out var wireType) || wireType != Varint || !reader.TryReadVarint(out var value) || !reader.AtEnd)
        {
            return null;
        }

        var operand = (uint)value;
        return field switch
        {
            FlowAction.OutputFieldNumber => new FlowAction { Output = operand },
            FlowAction.GroupFieldNumber => new FlowAction { Group = operand },
            FlowAction.PushMplsFieldNumber => new FlowAction { PushMpls = operand },
            FlowAction.PopMplsFieldNumber => new FlowAction { PopMpls = operand },
            FlowAction.MirrorFieldNumber => new FlowAction { Mirror = operand },
            _ => null,
        };
    }

    private static ByteString Bytes(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? ByteString.Empty : ByteString.CopyFrom(bytes);
}
