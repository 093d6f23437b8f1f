using System.Buffers;
using Google.Protobuf;
using Sdn.Contracts;
using static Sdn.Contracts.Southbound.WireReader;

namespace Sdn.Contracts.Southbound;

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

    /// <summary>
    /// How one message type is read by hand: made for its bytes (with its repeated fields counted), then given each
    /// field; a field it cannot take sends the message to the generated parser.
    /// </summary>
    private interface IFields<T>
        where T : class
    {
        static abstract T Create(ReadOnlySpan<byte> bytes);

        static abstract bool TryRead(ref WireReader reader, int field, int wireType, T message, BatchParts parts);
    }

    /// <summary>A message that holds a batch and nothing else; null for any other message.</summary>
    private static ControllerMessage? TryBatchMessage(ReadOnlySpan<byte> bytes)
    {
        var reader = new WireReader(bytes);
        if (!reader.TryReadTag(out var field, out var wireType) || field != ControllerMessage.BatchFieldNumber || wireType != LengthDelimited
            || !reader.TryReadLengthDelimited(out var batch) || !reader.AtEnd)
        {
            return null;
        }

        return TryRead<ProgramBatch, BatchFields>(batch, new BatchParts()) is { } decoded ? new ControllerMessage { Batch = decoded } : null;
    }

    /// <summary>The message in <paramref name="bytes"/>, or null when the hand-written path cannot take all of it.</summary>
    private static T? TryRead<T, TFields>(ReadOnlySpan<byte> bytes, BatchParts parts)
        where T : class
        where TFields : IFields<T>
    {
        var message = TFields.Create(bytes);
        var reader = new WireReader(bytes);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType) || !TFields.TryRead(ref reader, field, wireType, message, parts))
            {
                return null;
            }
        }

        return message;
    }

    private static ByteString Bytes(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? ByteString.Empty : ByteString.CopyFrom(bytes);

    /// <summary>The parts the flow-mods of one batch share, each decoded once.</summary>
    private sealed class BatchParts
    {
        public SharedMessages<FieldMatch> Matches { get; } = new();

        public SharedMessages<Instruction> Instructions { get; } = new();
    }

    private readonly struct BatchFields : IFields<ProgramBatch>
    {
        public static ProgramBatch Create(ReadOnlySpan<byte> bytes) => new() { FlowMods = { Capacity = CountOf(bytes, ProgramBatch.FlowModsFieldNumber) } };

        public static bool TryRead(ref WireReader reader, int field, int wireType, ProgramBatch batch, BatchParts parts)
        {
            ulong value;
            ReadOnlySpan<byte> payload;
            switch (field)
            {
                case ProgramBatch.VersionFieldNumber when wireType == Varint && reader.TryReadVarint(out value):
                    batch.Version = value;
                    return true;
                case ProgramBatch.BaseVersionFieldNumber when wireType == Varint && reader.TryReadVarint(out value):
                    batch.BaseVersion = value;
                    return true;
                case ProgramBatch.FullStateFieldNumber when wireType == Varint && reader.TryReadVarint(out value):
                    batch.FullState = value != 0;
                    return true;
                case ProgramBatch.TablesFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    batch.Tables.Add(TableConfig.Parser.ParseFrom(payload));
                    return true;
                case ProgramBatch.PortModsFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    batch.PortMods.Add(PortMod.Parser.ParseFrom(payload));
                    return true;
                case ProgramBatch.GroupModsFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    batch.GroupMods.Add(GroupMod.Parser.ParseFrom(payload));
                    return true;
                case ProgramBatch.FlowModsFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    batch.FlowMods.Add(TryRead<FlowMod, FlowModFields>(payload, parts) ?? FlowMod.Parser.ParseFrom(payload));
                    return true;
                case ProgramBatch.LfibModsFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    batch.LfibMods.Add(LfibMod.Parser.ParseFrom(payload));
                    return true;
                default:
                    return false;
            }
        }
    }

    private readonly struct FlowModFields : IFields<FlowMod>
    {
        public static FlowMod Create(ReadOnlySpan<byte> bytes) => new();

        public static bool TryRead(ref WireReader reader, int field, int wireType, FlowMod mod, BatchParts parts)
        {
            switch (field)
            {
                case FlowMod.OpFieldNumber when wireType == Varint && reader.TryReadVarint(out var op):
                    mod.Op = (ModOp)(int)op;
                    return true;
                case FlowMod.EntryFieldNumber when wireType == LengthDelimited && mod.Entry is null && reader.TryReadLengthDelimited(out var entry):
                    mod.Entry = TryRead<FlowEntry, EntryFields>(entry, parts);
                    return mod.Entry is not null;
                default:
                    return false;
            }
        }
    }

    private readonly struct EntryFields : IFields<FlowEntry>
    {
        public static FlowEntry Create(ReadOnlySpan<byte> bytes)
        {
            var entry = new FlowEntry();
            entry.Match.Capacity = CountOf(bytes, FlowEntry.MatchFieldNumber);
            entry.Instructions.Capacity = CountOf(bytes, FlowEntry.InstructionsFieldNumber);
            return entry;
        }

        public static bool TryRead(ref WireReader reader, int field, int wireType, FlowEntry entry, BatchParts parts)
        {
            ulong value;
            ReadOnlySpan<byte> payload;
            switch (field)
            {
                case FlowEntry.TableIdFieldNumber when wireType == Varint && reader.TryReadVarint(out value):
                    entry.TableId = (uint)value;
                    return true;
                case FlowEntry.PriorityFieldNumber when wireType == Varint && reader.TryReadVarint(out value):
                    entry.Priority = (uint)value;
                    return true;
                case FlowEntry.MatchFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload)
                        && parts.Matches.GetOrDecode(payload, parts, TryRead<FieldMatch, MatchFields>) is { } match:
                    entry.Match.Add(match);
                    return true;
                case FlowEntry.InstructionsFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload)
                        && parts.Instructions.GetOrDecode(payload, parts, TryRead<Instruction, InstructionFields>) is { } instruction:
                    entry.Instructions.Add(instruction);
                    return true;
                case FlowEntry.CookieFieldNumber when wireType == Fixed64 && reader.TryReadFixed64(out value):
                    entry.Cookie = value;
                    return true;
                case FlowEntry.IdleTimeoutFieldNumber when wireType == Varint && reader.TryReadVarint(out value):
                    entry.IdleTimeout = (uint)value;
                    return true;
                case FlowEntry.HardTimeoutFieldNumber when wireType == Varint && reader.TryReadVarint(out value):
                    entry.HardTimeout = (uint)value;
                    return true;
                default:
                    return false;
            }
        }
    }

    private readonly struct MatchFields : IFields<FieldMatch>
    {
        public static FieldMatch Create(ReadOnlySpan<byte> bytes) => new();

        public static bool TryRead(ref WireReader reader, int field, int wireType, FieldMatch match, BatchParts parts)
        {
            ReadOnlySpan<byte> payload;
            switch (field)
            {
                case FieldMatch.FieldFieldNumber when wireType == Varint && reader.TryReadVarint(out var number):
                    match.Field = (Field)(int)number;
                    return true;
                case FieldMatch.ValueFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    match.Value = Bytes(payload);
                    return true;
                case FieldMatch.MaskFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    match.Mask = Bytes(payload);
                    return true;
                default:
                    return false;
            }
        }
    }

    private readonly struct InstructionFields : IFields<Instruction>
    {
        public static Instruction Create(ReadOnlySpan<byte> bytes) => new();

        /// <remarks>A oneof given twice is for the generated parser, which merges or replaces as the kinds say.</remarks>
        public static bool TryRead(ref WireReader reader, int field, int wireType, Instruction instruction, BatchParts parts)
        {
            if (instruction.KindCase != Instruction.KindOneofCase.None)
            {
                return false;
            }

            ReadOnlySpan<byte> payload;
            switch (field)
            {
                case Instruction.ApplyActionsFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    instruction.ApplyActions = TryRead<ApplyActions, ApplyActionsFields>(payload, parts);
                    return instruction.ApplyActions is not null;
                case Instruction.WriteMetadataFieldNumber when wireType == LengthDelimited && reader.TryReadLengthDelimited(out payload):
                    instruction.WriteMetadata = WriteMetadata.Parser.ParseFrom(payload);
                    return true;
                case Instruction.GotoTableFieldNumber when wireType == Varint && reader.TryReadVarint(out var table):
                    instruction.GotoTable = (uint)table;
                    return true;
                default:
                    return false;
            }
        }
    }

    private readonly struct ApplyActionsFields : IFields<ApplyActions>
    {
        public static ApplyActions Create(ReadOnlySpan<byte> bytes) => new() { Actions = { Capacity = CountOf(bytes, ApplyActions.ActionsFieldNumber) } };

        public static bool TryRead(ref WireReader reader, int field, int wireType, ApplyActions apply, BatchParts parts)
        {
            if (field != ApplyActions.ActionsFieldNumber || wireType != LengthDelimited || !reader.TryReadLengthDelimited(out var action))
            {
                return false;
            }

            apply.Actions.Add(TryPortOrLabelAction(action) ?? FlowAction.Parser.ParseFrom(action));
            return true;
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
    }
}
