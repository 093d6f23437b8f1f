using Sdn.Common.Packets;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Conntrack;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Nat;
using Sdn.Fabric.Edge.Pipeline.Groups;
using Sdn.Fabric.Edge.Pipeline.Revalidation;

namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>
/// The slow path: runs a flow key through the tables and groups and compiles what happens into a
/// <see cref="CompiledFlow"/> plus the megaflow mask of every key bit the decision depended on.
/// </summary>
/// <remarks>
/// Actions rewrite a working copy of the key, so later tables see the packet as earlier actions left it.
/// Any decision that reads a field the classifier did not (TTL expiry, a select hash, whether a tag is
/// present) un-wildcards that field, so that a megaflow never covers a packet that would be treated
/// differently. The ingress port is always exact, as in Open vSwitch.
/// </remarks>
internal sealed class FlowCompiler(IReadOnlyList<FlowTable> tables, GroupTable groups, PortLiveness liveness)
{
    /// <summary>How deep groups may chain into groups before the packet is dropped.</summary>
    public const int MaxGroupDepth = 4;

    /// <summary>How many compiled programs <see cref="Shared"/> remembers, a power of two.</summary>
    private const int RecentPrograms = 256;

    private static readonly FlowField RecirculationPoint = FlowField.Register(EdgeDatapath.RecirculationRegister);
    private static readonly FlowField ZoneRegister = FlowField.Register(0);

    private static readonly FlowField[] FiveTuple =
        [FlowField.Ipv4Src, FlowField.Ipv4Dst, FlowField.Ipv6SrcHigh, FlowField.Ipv6SrcLow, FlowField.Ipv6DstHigh, FlowField.Ipv6DstLow, FlowField.IpProto, FlowField.L4Src, FlowField.L4Dst];

    private readonly List<DatapathAction> _actions = [];
    private readonly FlowProgram?[] _recentPrograms = new FlowProgram?[RecentPrograms];
    private readonly List<DatapathAction> _mirrors = [];
    private readonly List<EntryCounters> _counters = [];
    private readonly List<DhcpOffer> _dhcpOffers = [];
    private readonly Stack<int> _unrestoredSaves = new();
    private readonly DependencyStore _dependencies = new(groups, liveness);
    private FlowKey _work;
    private FlowKey _unwildcard;
    private bool _stopped;

    /// <summary>Set once the last MPLS label is popped: the payload's headers were never parsed into the key.</summary>
    private bool _payloadUnparsed;
    private PipelineTrace? _trace;
    private FlowDependencyRecord _record = null!;
    private Func<ushort, CtState>? _traceCtState;

    // The ct lookup of the current pass: the state it gives, whether it happened, in which zone, and where in the
    // action, mirror and counter lists its branch starts.
    private CtState _assumedCtState;
    private bool _ctLooked;
    private ushort _ctZone;
    private int _ctLookupAt;
    private int _ctMirrorsAt;
    private int _ctCountersAt;
    private byte? _recirculateTo;
    private bool _recirculated;

    // The zone whose lookup a recirculated packet carries (its ct_state and reg0), or null: see ContinueLookup.
    private ushort? _recirculatedZone;

    /// <summary>Where the flows this compiler translated keep what they read, once cached.</summary>
    internal DependencyStore Dependencies => _dependencies;

    /// <summary>
    /// Compiles the decision for <paramref name="key"/>; when <paramref name="trace"/> is given, records each step in it.
    /// </summary>
    /// <remarks>
    /// A ct action is where the decision stops being the same for every packet of the flow: the pipeline is run once per
    /// ct_state a lookup can give, and the flow's actions end with the lookup and hold what follows it per state, so the
    /// datapath takes that one decision per packet from the tracker. A trace runs one state only: the one
    /// <paramref name="traceCtState"/> gives for the lookup's zone (what the tracker holds, or what the caller assumes),
    /// or trk|new without it.
    /// </remarks>
    public CompiledFlow Translate(in FlowKey key, out FlowKey megaflowMask, PipelineTrace? trace = null, Func<ushort, CtState>? traceCtState = null)
    {
        _dhcpOffers.Clear();
        _record = new FlowDependencyRecord(_dependencies);
        _trace = trace;
        _traceCtState = traceCtState;
        var mask = default(FlowKey);
        Pass(key, CtOutcomes.All[0], ref mask);
        if (_ctLookupAt < 0 || trace is not null)
        {
            var actions = new DatapathAction[_mirrors.Count + _actions.Count];
            _mirrors.CopyTo(actions);
            _actions.CopyTo(actions, _mirrors.Count);
            trace?.Complete(actions);
            _trace = null;
            _traceCtState = null;
            megaflowMask = mask;
            _record.Complete(megaflowMask);
            return new CompiledFlow(Shared(new FlowProgram(actions, [.. _counters], [.. _dhcpOffers], [])), _record);
        }

        DatapathAction[] prefix = [.. _mirrors.Take(_ctMirrorsAt), .. _actions.Take(_ctLookupAt + 1)];
        EntryCounters[] prefixCounters = [.. _counters.Take(_ctCountersAt)];
        var branches = new CtBranch[CtOutcomes.All.Count];
        branches[0] = Branch();
        for (var i = 1; i < branches.Length; i++)
        {
            Pass(key, CtOutcomes.All[i], ref mask);
            branches[i] = Branch();
        }

        megaflowMask = mask;
        _record.Complete(megaflowMask);
        return new CompiledFlow(Shared(new FlowProgram(prefix, prefixCounters, [.. _dhcpOffers], branches)), _record);
    }

    /// <summary>
    /// <paramref name="program"/>, or an equal one compiled recently: the flows of one decision (the connections through
    /// one stateful rule, whose megaflows differ in the L4 ports) then share what the datapath reads of them. The table
    /// is direct-mapped and small, so it holds on to nothing for long.
    /// </summary>
    private FlowProgram Shared(FlowProgram program)
    {
        ref var slot = ref _recentPrograms[program.GetHashCode() & (RecentPrograms - 1)];
        if (program.Equals(slot))
        {
            return slot!;
        }

        slot = program;
        return program;
    }

    /// <summary>Runs the tables once, a ct lookup giving <paramref name="ctState"/>; ORs what it read into <paramref name="mask"/>.</summary>
    private void Pass(in FlowKey key, CtState ctState, ref FlowKey mask)
    {
        _actions.Clear();
        _mirrors.Clear();
        _counters.Clear();
        _work = key;
        _unwildcard = default;
        _stopped = false;
        _payloadUnparsed = false;
        _assumedCtState = ctState;
        _ctLooked = false;
        _recirculateTo = null;
        _recirculated = false;
        _recirculatedZone = null;
        Unwildcard(FlowField.InPort);

        RunTables();
        DropUnobservedSnapshots();
        _ctLookupAt = _actions.FindIndex(action => action.Kind == DatapathActionKind.CtLookup);
        for (var i = 0; i < FlowKey.WordCount; i++)
        {
            mask.Words[i] |= _unwildcard.Words[i];
        }
    }

    /// <summary>What the last pass did after its ct lookup.</summary>
    private CtBranch Branch() =>
        new([.. _mirrors.Skip(_ctMirrorsAt), .. _actions.Skip(_ctLookupAt + 1)], [.. _counters.Skip(_ctCountersAt)]);

    private void RunTables()
    {
        // A recirculated packet goes on where its ct sent it; one from a port starts at table 0.
        Unwildcard(RecirculationPoint);
        var point = (int)Read(RecirculationPoint);
        var tableId = point == 0 ? 0 : point - 1;
        if (point != 0)
        {
            ContinueLookup();
        }

        if (tableId >= tables.Count)
        {
            return;
        }

        while (!_stopped)
        {
            var table = tables[tableId];
            var entry = table.Lookup(_work, ref _unwildcard, _record);
            _trace?.AddStep(table, entry);
            if (entry is null)
            {
                return;
            }

            _counters.Add(entry.Counters);
            var instructions = entry.Instructions;
            ApplyActions(instructions.ApplyActions, entry.IsTableMiss, groupDepth: 0);
            if (instructions.MetadataMask != 0)
            {
                _work.Metadata = (_work.Metadata & ~instructions.MetadataMask) | (instructions.MetadataValue & instructions.MetadataMask);
            }

            if (_recirculateTo is { } recirculate && !_stopped)
            {
                // Flow-mods refuse a ct table behind the entry's; a ct goes on in a table at most once a pass, so nothing loops.
                _recirculateTo = null;
                _recirculated = true;
                if (recirculate < tableId || recirculate >= tables.Count)
                {
                    return;
                }

                tableId = recirculate;
                continue;
            }

            // Flow-mods refuse a backward goto; the check here keeps a packet from ever looping regardless.
            if (instructions.GotoTable is not { } next || next <= tableId || next >= tables.Count)
            {
                return;
            }

            tableId = next;
        }
    }

    private void ApplyActions(IReadOnlyList<PipelineAction> actions, bool fromTableMiss, int groupDepth)
    {
        for (var i = 0; i < actions.Count && !_stopped; i++)
        {
            ApplyAction(actions[i], fromTableMiss, groupDepth);
        }
    }

    private void ApplyAction(PipelineAction action, bool fromTableMiss, int groupDepth)
    {
        switch (action.Kind)
        {
            case PipelineActionKind.Output:
                Output(action.Operand);
                break;
            case PipelineActionKind.Mirror:
                _mirrors.Add(new DatapathAction(DatapathActionKind.Output, action.Operand));
                break;
            case PipelineActionKind.Group:
                ApplyGroup(action.Operand, groupDepth);
                break;
            case PipelineActionKind.Drop:
                _stopped = true;
                break;
            case PipelineActionKind.DropSpoofed:
                Emit(DatapathActionKind.DropSpoofed);
                _stopped = true;
                break;
            case PipelineActionKind.Controller:
                Emit(DatapathActionKind.Punt, value: (ulong)(fromTableMiss ? PacketInReason.NoMatch : PacketInReason.Action));
                break;
            case PipelineActionKind.PushMpls:
                PushMpls((ushort)action.Value);
                break;
            case PipelineActionKind.PopMpls:
                PopMpls((ushort)action.Value);
                break;
            case PipelineActionKind.SetMplsLabel:
            case PipelineActionKind.SetMplsTc:
            case PipelineActionKind.SetMplsTtl:
            case PipelineActionKind.SetField:
                SetField(action.Field, action.Value);
                break;
            case PipelineActionKind.DecMplsTtl:
                DecrementTtl(FlowField.MplsTtl, DatapathActionKind.DecMplsTtl, applies: Read(FlowField.MplsDepth) > 0);
                break;
            case PipelineActionKind.DecIpTtl:
                DecrementTtl(FlowField.IpTtl, DatapathActionKind.DecIpTtl, applies: IsIp());
                break;
            case PipelineActionKind.PushVlan:
                PushVlan((ushort)action.Value);
                break;
            case PipelineActionKind.PopVlan:
                PopVlan();
                break;
            case PipelineActionKind.ArpResponder:
                RespondToArp(action.Value);
                break;
            case PipelineActionKind.NdResponder:
                RespondToNeighborSolicitation(action.Address, action.Value, router: action.Operand != 0);
                break;
            case PipelineActionKind.DhcpResponder:
                RespondToDhcp(action.Offer);
                break;
            case PipelineActionKind.Ct:
                ApplyCt(action, groupDepth);
                break;
            case PipelineActionKind.LearnNeighbour:
                LearnNeighbour();
                break;
            case PipelineActionKind.ResolveNeighbour:
                ResolveNeighbour(action.Operand, action.Value, action.Field);
                break;
            case PipelineActionKind.Loopback:
                Emit(DatapathActionKind.Loopback, action.Operand);
                _trace?.AddNote($"loopback: the packet arrives again on port {action.Operand}, from table 0, parsed as it is now");
                _stopped = true;
                break;
            default:
                throw new InvalidOperationException($"action {action.Kind} has no translation");
        }
    }

    private void ApplyCt(PipelineAction action, int groupDepth)
    {
        var zone = action.CtZone;
        if (groupDepth > 0 || (_ctLooked && zone != _ctZone) || (action.CtTable is not null && _recirculated))
        {
            _trace?.AddNote(groupDepth > 0 ? "ct in a group bucket is not supported, drop" : "a second ct lookup in one pass is not supported, drop");
            _stopped = true;
            return;
        }

        if (!_ctLooked && zone == _recirculatedZone)
        {
            (_ctLooked, _ctZone) = (true, zone);
        }

        if (!_ctLooked)
        {
            var state = _traceCtState?.Invoke(zone) ?? _assumedCtState;
            if (_trace is not null)
            {
                _trace.CtState = state;
                _trace.AddNote($"ct(zone={zone}): ct_state={CtOutcomes.Describe(state)}{(_traceCtState is null ? " (assumed)" : string.Empty)}");
            }

            _ctLooked = true;
            _ctZone = zone;
            _ctMirrorsAt = _mirrors.Count;
            _ctCountersAt = _counters.Count;
            Emit(DatapathActionKind.CtLookup, value: zone);
            _work.CtState = (byte)state;
        }

        if (action.CtCommit && (_work.CtState & (byte)CtState.New) != 0)
        {
            _actions.Add(DatapathAction.CtCommitIn(zone, action.CtTranslation));
        }

        if (action.CtNat)
        {
            Translate(zone, action.CtTranslation, committed: action.CtCommit);
            if (action.CtTable is { } table)
            {
                Recirculate(table);
                return;
            }
        }

        _recirculateTo = action.CtTable;
    }

    /// <summary>
    /// A packet recirculated after a ct lookup carries its ct_state, and reg0 the zone of its connection: a ct in that
    /// zone (a commit, once an ACL has admitted the packet as translated) acts on that lookup instead of making another,
    /// as Open vSwitch's ct(commit) does after recirculation; a ct in another zone looks the packet up afresh.
    /// </summary>
    private void ContinueLookup()
    {
        Unwildcard(FlowField.CtState);
        if ((Read(FlowField.CtState) & (byte)CtState.Tracked) != 0)
        {
            Unwildcard(ZoneRegister);
            _recirculatedZone = (ushort)Read(ZoneRegister);
        }
    }

    /// <summary>
    /// The rewrite a ct(nat) asks for: the datapath takes it from the packet's connection, per packet. The tables after
    /// it see the fields as they were, since the key cannot know a translation the tracker picks (a port from a pool).
    /// A new connection's destination translation without a commit rewrites the packet now and waits for the commit
    /// that admits it (see <see cref="ConnectionTracker.Translate"/>).
    /// </summary>
    private void Translate(ushort zone, NatTranslation? translation, bool committed)
    {
        var state = (CtState)_work.CtState;
        var uncommitted = !committed && (state & CtState.New) != 0 && translation is { Side: NatSide.Destination } ? translation : null;
        _actions.Add(DatapathAction.CtNatIn(zone, uncommitted));
        if (_trace is null)
        {
            return;
        }

        _trace.AddNote(uncommitted is { } pending
            ? $"nat: a new connection is rewritten {pending}; the commit that admits it translates it so"
            : (state & CtState.New) != 0 && translation is { } nat
            ? $"nat: a new connection is translated {nat}, then rewritten so"
            : (state & CtState.Established) != 0 ? "nat: rewritten as its connection's translation says (unchanged when it has none)"
            : (state & CtState.Related) != 0 ? "nat: an ICMP error about a translated packet is rewritten for the packet's sender"
            : "nat: nothing to translate");
    }

    /// <summary>
    /// After a rewrite whose result the key cannot know, the packet goes on in <paramref name="table"/> as the datapath
    /// parses it again, with the metadata and ct_state it has now; this pass ends here.
    /// </summary>
    private void Recirculate(byte table)
    {
        Emit(DatapathActionKind.Recirculate, table | ((uint)_work.CtState << 8), value: _work.Metadata);
        _trace?.AddNote($"recirculate: parsed again as NAT rewrote it, the packet goes on in table {table} (reg0 = its connection's zone)");
        _stopped = true;
    }

    private void LearnNeighbour()
    {
        Unwildcard(FlowField.EthType);
        var ethType = Read(FlowField.EthType);
        if (ethType == EtherTypes.Ipv6)
        {
            Unwildcard(FlowField.IpProto);
            if (Read(FlowField.IpProto) == IpProtocols.Icmpv6)
            {
                Unwildcard(FlowField.IcmpType);
            }
        }

        if (ethType != EtherTypes.Arp && !(ethType == EtherTypes.Ipv6 && Read(FlowField.IpProto) == IpProtocols.Icmpv6 && NeighborMessage.HasTarget((byte)Read(FlowField.IcmpType))))
        {
            _trace?.AddNote("learn_neighbour skipped: neither ARP nor a neighbour solicitation or advertisement");
            return;
        }

        Emit(DatapathActionKind.LearnNeighbour);
    }

    /// <summary>Which MAC, or whether an ARP request or neighbour solicitation instead, only the datapath's neighbour cache tells, per packet.</summary>
    private void ResolveNeighbour(uint port, ulong nextHopAndSender, HeaderField family)
    {
        Unwildcard(FlowField.EthType);
        var ipv6 = family == HeaderField.Ipv6DstHigh;
        if (Read(FlowField.EthType) != (ipv6 ? EtherTypes.Ipv6 : EtherTypes.Ipv4))
        {
            _trace?.AddNote($"resolve_neighbour skipped: not {(ipv6 ? "IPv6" : "IPv4")}, drop");
            _stopped = true;
            return;
        }

        Emit(DatapathActionKind.ResolveNeighbour, port, family, nextHopAndSender);
        _trace?.AddNote($"resolve_neighbour: the destination MAC is the next hop's as learned, or the packet goes as {(ipv6 ? "a neighbour solicitation" : "an ARP request")} for it");
    }

    private void Output(uint port)
    {
        var ingress = Read(FlowField.InPort);
        if (port == PortNumbers.InPort)
        {
            port = (uint)ingress;
        }
        else if (port == ingress)
        {
            // OpenFlow never sends a packet back where it came from unless the action says in_port.
            _trace?.AddNote($"output:{port} skipped: it is the ingress port (use output:in_port)");
            return;
        }

        Emit(DatapathActionKind.Output, port);
    }

    private void ApplyGroup(uint groupId, int groupDepth)
    {
        _record.LookedUpGroup(groupId);
        if (groupDepth >= MaxGroupDepth || !groups.TryGet(groupId, out var group))
        {
            _trace?.AddNote(groupDepth >= MaxGroupDepth ? $"group {groupId}: nested too deep, drop" : $"group {groupId}: no such group, drop");
            _stopped = true;
            return;
        }

        switch (group.Type)
        {
            case GroupKind.All:
                foreach (var bucket in group.Buckets)
                {
                    ApplyBucket(group, bucket, groupDepth);
                }

                break;
            case GroupKind.Select:
                if (SelectBucket(group) is { } selected)
                {
                    ApplyBucket(group, selected, groupDepth);
                }

                break;
            case GroupKind.FastFailover:
                if (group.Buckets.FirstOrDefault(IsLive) is { } live)
                {
                    ApplyBucket(group, live, groupDepth);
                }
                else
                {
                    _trace?.AddNote($"group {groupId}: no live bucket, drop");
                }

                break;
            default:
                throw new InvalidOperationException($"group type {group.Type} has no translation");
        }
    }

    /// <summary>Runs a bucket on its own copy of the packet, so what it does is not seen by the actions after the group.</summary>
    private void ApplyBucket(GroupEntry group, GroupBucket bucket, int groupDepth)
    {
        _trace?.AddNote($"group {group.Id} ({group.Type}): bucket {bucket.Id}");
        var saved = _work;
        Emit(DatapathActionKind.SaveFrame);
        ApplyActions(bucket.Actions, fromTableMiss: false, groupDepth + 1);
        if (!_stopped)
        {
            Emit(DatapathActionKind.RestoreFrame);
        }

        _work = saved;
    }

    /// <summary>
    /// Drops the frame snapshots no later action can tell from none. A restore followed only by restores or the end
    /// of the list puts back a frame nothing reads again: that of a fast-failover or select group last in the list,
    /// or of an all group's last bucket. A save with no restore (its bucket dropped the packet, or its restore was
    /// dropped here) is never put back.
    /// </summary>
    private void DropUnobservedSnapshots()
    {
        while (_actions.Count > 0 && _actions[^1].Kind == DatapathActionKind.RestoreFrame)
        {
            _actions.RemoveAt(_actions.Count - 1);
        }

        _unrestoredSaves.Clear();
        for (var i = 0; i < _actions.Count; i++)
        {
            if (_actions[i].Kind == DatapathActionKind.SaveFrame)
            {
                _unrestoredSaves.Push(i);
            }
            else if (_actions[i].Kind == DatapathActionKind.RestoreFrame)
            {
                _unrestoredSaves.Pop();
            }
        }

        // Highest index first, so each removal leaves the indices still to remove in place.
        while (_unrestoredSaves.TryPop(out var save))
        {
            _actions.RemoveAt(save);
        }
    }

    private bool IsLive(GroupBucket bucket)
    {
        if (bucket.WatchPort is not { } port)
        {
            return true;
        }

        _record.AskedLiveness(port);
        return liveness.IsLive(port);
    }

    /// <summary>
    /// Rendezvous (highest-random-weight) hashing over the live buckets: each bucket scores the flow
    /// independently, so removing one bucket moves only the flows that were on it.
    /// </summary>
    private GroupBucket? SelectBucket(GroupEntry group)
    {
        ulong flowHash = 0;
        foreach (var field in FiveTuple)
        {
            Unwildcard(field);
            flowHash = Mix(flowHash ^ Read(field));
        }

        GroupBucket? best = null;
        ulong bestScore = 0;
        foreach (var bucket in group.Buckets)
        {
            if (!IsLive(bucket))
            {
                continue;
            }

            for (var draw = 0; draw < bucket.Weight; draw++)
            {
                var score = Mix(flowHash ^ Mix(((ulong)bucket.Id << 32) | (uint)draw));
                if (best is null || score > bestScore)
                {
                    best = bucket;
                    bestScore = score;
                }
            }
        }

        return best;
    }

    private void PushMpls(ushort ethType)
    {
        Unwildcard(FlowField.MplsDepth);
        Unwildcard(FlowField.MplsTtl);
        Unwildcard(FlowField.IpTtl);
        Unwildcard(FlowField.EthType);
        var depth = Read(FlowField.MplsDepth);
        var ttl = depth > 0 ? Read(FlowField.MplsTtl) : IsIp() ? Read(FlowField.IpTtl) : FrameActions.DefaultMplsTtl;
        _work.MplsTopEntry = new MplsLabelStackEntry(0, 0, depth == 0, (byte)ttl).Encoded;
        _work.MplsDepth = (byte)(depth + 1);
        _work.EthType = ethType;
        Emit(DatapathActionKind.PushMpls, value: ethType);
    }

    private void PopMpls(ushort ethType)
    {
        Unwildcard(FlowField.MplsDepth);
        var depth = Read(FlowField.MplsDepth);
        if (depth == 0)
        {
            _trace?.AddNote("pop_mpls skipped: no MPLS label");
            return;
        }

        // What lies below the popped entry is not in the key; later tables see its fields as zero.
        _work.MplsTopEntry = 0;
        _work.MplsDepth = (byte)(depth - 1);
        if (depth == 1)
        {
            _work.EthType = ethType;
            _payloadUnparsed = true;
        }

        Emit(DatapathActionKind.PopMpls, value: ethType);
    }

    private void SetField(HeaderField field, ulong value)
    {
        switch (field)
        {
            case HeaderField.VlanVid:
            case HeaderField.VlanPcp:
                Unwildcard(FlowField.OuterVlanTci);
                var tagField = (Read(FlowField.OuterVlanTci) & FlowKey.VlanTagPresent) != 0 ? FlowField.OuterVlanTci : FlowField.VlanTci;
                var tci = Read(tagField);
                tci = field == HeaderField.VlanVid ? (tci & ~0xFFFUL) | (value & 0xFFF) : (tci & 0x1FFF) | ((value & 7) << 13);
                Write(tagField, tci);
                break;
            default:
                Write(KeyField(field), value);
                break;
        }

        if (field is HeaderField.EthSrc or HeaderField.EthDst
            && _actions.Count > 0
            && _actions[^1] is { Kind: DatapathActionKind.SetField, Field: HeaderField.EthSrc or HeaderField.EthDst } other
            && other.Field != field)
        {
            // A router's rewrite sets both addresses: one action and two stores on the hit path, where apart they take
            // two actions of two stores each. The key holds both values now.
            _actions[^1] = DatapathAction.EthAddresses(DatapathActionKind.SetEthAddresses, Read(FlowField.EthSrc), Read(FlowField.EthDst));
            return;
        }

        if (field == HeaderField.MplsLabel && (value & MplsLabelStackEntry.MaxLabel) != 0 && _actions.Count > 0 && _actions[^1] is { Kind: DatapathActionKind.PushMpls } push)
        {
            // The entry just pushed is written with its label: one action and one write on the hit path, not two.
            // Label 0 stays a set of its own, so that a push's label of 0 always means "none yet".
            _actions[^1] = push with { Value = (ushort)push.Value | ((value & MplsLabelStackEntry.MaxLabel) << 16) };
            return;
        }

        Emit(DatapathActionKind.SetField, field: field, value: value);
    }

    private static FlowField KeyField(HeaderField field) => field switch
    {
        HeaderField.EthSrc => FlowField.EthSrc,
        HeaderField.EthDst => FlowField.EthDst,
        HeaderField.MplsLabel => FlowField.MplsLabel,
        HeaderField.MplsTc => FlowField.MplsTc,
        HeaderField.MplsTtl => FlowField.MplsTtl,
        HeaderField.Ipv4Src => FlowField.Ipv4Src,
        HeaderField.Ipv4Dst => FlowField.Ipv4Dst,
        HeaderField.IpDscp => FlowField.IpDscp,
        HeaderField.IpTtl => FlowField.IpTtl,
        HeaderField.L4Src => FlowField.L4Src,
        HeaderField.L4Dst => FlowField.L4Dst,
        HeaderField.Ipv6SrcHigh => FlowField.Ipv6SrcHigh,
        HeaderField.Ipv6SrcLow => FlowField.Ipv6SrcLow,
        HeaderField.Ipv6DstHigh => FlowField.Ipv6DstHigh,
        HeaderField.Ipv6DstLow => FlowField.Ipv6DstLow,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "not a flow key field"),
    };

    private void DecrementTtl(FlowField ttlField, DatapathActionKind kind, bool applies)
    {
        Unwildcard(FlowField.EthType);
        Unwildcard(FlowField.MplsDepth);
        if (!applies)
        {
            _trace?.AddNote($"{kind} skipped: the packet has no such header");
            return;
        }

        if (kind == DatapathActionKind.DecIpTtl && _actions.Count > 0 && _actions[^1] is { Kind: DatapathActionKind.SetEthAddresses } rewrite)
        {
            // The rest of a router's hop, in the same action. The datapath checks the TTL before it writes anything,
            // which no one can tell apart: a packet whose TTL expires is dropped either way.
            _actions[^1] = rewrite with { Kind = DatapathActionKind.RouteHop };
        }
        else
        {
            Emit(kind);
        }

        if (_payloadUnparsed && kind == DatapathActionKind.DecIpTtl)
        {
            _trace?.AddNote("dec_ttl after the last pop_mpls: the datapath checks the TTL of each packet");
            return;
        }

        Unwildcard(ttlField);
        var ttl = Read(ttlField);
        if (ttl <= 1)
        {
            // The datapath sees the same TTL in the frame, drops the packet and counts the expiry.
            _trace?.AddNote($"{kind}: TTL {ttl} expires, drop");
            _stopped = true;
            return;
        }

        Write(ttlField, ttl - 1);
    }

    private void PushVlan(ushort tpid)
    {
        Unwildcard(FlowField.VlanTci);
        Unwildcard(FlowField.OuterVlanTci);
        var inner = Read(FlowField.VlanTci);
        if ((inner & FlowKey.VlanTagPresent) == 0)
        {
            Write(FlowField.VlanTci, FlowKey.VlanTagPresent);
        }
        else if ((Read(FlowField.OuterVlanTci) & FlowKey.VlanTagPresent) == 0)
        {
            // The new outer tag starts as a copy of the tag it covers, as OpenFlow's push_vlan specifies.
            Write(FlowField.OuterVlanTci, inner);
        }
        else
        {
            _trace?.AddNote("push_vlan: a third tag is not supported, drop");
            _stopped = true;
            return;
        }

        Emit(DatapathActionKind.PushVlan, value: tpid);
    }

    private void PopVlan()
    {
        Unwildcard(FlowField.VlanTci);
        Unwildcard(FlowField.OuterVlanTci);
        if ((Read(FlowField.OuterVlanTci) & FlowKey.VlanTagPresent) != 0)
        {
            Write(FlowField.OuterVlanTci, 0);
        }
        else if ((Read(FlowField.VlanTci) & FlowKey.VlanTagPresent) != 0)
        {
            Write(FlowField.VlanTci, 0);
        }
        else
        {
            _trace?.AddNote("pop_vlan skipped: the frame has no tag");
            return;
        }

        Emit(DatapathActionKind.PopVlan);
    }

    private void RespondToArp(ulong mac)
    {
        Unwildcard(FlowField.EthType);
        Unwildcard(FlowField.ArpOp);
        if (Read(FlowField.EthType) != EtherTypes.Arp || Read(FlowField.ArpOp) != ArpOperations.Request)
        {
            _trace?.AddNote("arp_responder skipped: not an ARP request");
            return;
        }

        var requester = Read(FlowField.EthSrc);
        var (sender, target) = (Read(FlowField.Ipv4Src), Read(FlowField.Ipv4Dst));
        Write(FlowField.ArpOp, ArpOperations.Reply);
        Write(FlowField.EthDst, requester);
        Write(FlowField.EthSrc, mac);
        Write(FlowField.Ipv4Src, target);
        Write(FlowField.Ipv4Dst, sender);
        Emit(DatapathActionKind.ArpReply, value: mac);
        Emit(DatapathActionKind.Output, (uint)Read(FlowField.InPort));
        _stopped = true;
    }

    /// <summary>
    /// As <see cref="RespondToArp"/>, for a neighbour solicitation; the target is checked here, against the key, so a
    /// solicitation for another address is never answered as if it were for <paramref name="target"/>. What only the
    /// frame tells (the unspecified source of duplicate address detection, a hop limit or checksum that makes it
    /// invalid) the datapath checks per packet, so the megaflow need not hold the source address.
    /// </summary>
    private void RespondToNeighborSolicitation(UInt128 target, ulong mac, bool router)
    {
        Unwildcard(FlowField.EthType);
        Unwildcard(FlowField.IpProto);
        Unwildcard(FlowField.IcmpType);
        if (Read(FlowField.EthType) != EtherTypes.Ipv6 || Read(FlowField.IpProto) != IpProtocols.Icmpv6 || Read(FlowField.IcmpType) != NeighborMessage.Solicitation)
        {
            _trace?.AddNote("nd_responder skipped: not a neighbour solicitation");
            return;
        }

        Unwildcard(FlowField.NdTargetHigh);
        Unwildcard(FlowField.NdTargetLow);
        if (_work.NdTarget != target)
        {
            _trace?.AddNote("nd_responder skipped: the solicitation is for another target");
            return;
        }

        if (_work.Ipv6Src == UInt128.Zero)
        {
            _trace?.AddNote("nd_responder: a solicitation from :: (duplicate address detection) is dropped unanswered");
        }

        var requester = Read(FlowField.EthSrc);
        Write(FlowField.EthDst, requester);
        Write(FlowField.EthSrc, mac);
        _work.Ipv6Dst = _work.Ipv6Src;
        _work.Ipv6Src = target;
        _work.IpTtl = NeighborMessage.HopLimit;
        _work.IcmpType = NeighborMessage.Advertisement;
        Emit(DatapathActionKind.NdReply, value: mac | (router ? DatapathAction.NdRouterFlag : 0));
        Emit(DatapathActionKind.Output, (uint)Read(FlowField.InPort));
        _stopped = true;
    }

    /// <summary>
    /// As <see cref="RespondToArp"/>, for a DHCP request: the key says it is UDP from 68 to 67; whether it is a
    /// well-formed DISCOVER or REQUEST only the frame tells, so the datapath checks that per packet.
    /// </summary>
    private void RespondToDhcp(DhcpOffer offer)
    {
        Unwildcard(FlowField.EthType);
        Unwildcard(FlowField.IpProto);
        Unwildcard(FlowField.L4Src);
        Unwildcard(FlowField.L4Dst);
        if (Read(FlowField.EthType) != EtherTypes.Ipv4 || Read(FlowField.IpProto) != IpProtocols.Udp
            || Read(FlowField.L4Src) != DhcpMessage.ClientPort || Read(FlowField.L4Dst) != DhcpMessage.ServerPort)
        {
            _trace?.AddNote("dhcp_responder skipped: not UDP from 68 to 67");
            return;
        }

        Write(FlowField.EthDst, Read(FlowField.EthSrc));
        Write(FlowField.EthSrc, offer.ServerMac);
        Write(FlowField.Ipv4Src, offer.Server);
        Write(FlowField.Ipv4Dst, uint.MaxValue);
        Write(FlowField.L4Src, DhcpMessage.ServerPort);
        Write(FlowField.L4Dst, DhcpMessage.ClientPort);
        Emit(DatapathActionKind.DhcpReply, (uint)_dhcpOffers.Count);
        _dhcpOffers.Add(offer);
        Emit(DatapathActionKind.Output, (uint)Read(FlowField.InPort));
        _stopped = true;
    }

    private bool IsIp()
    {
        var ethType = Read(FlowField.EthType);
        return ethType is EtherTypes.Ipv4 or EtherTypes.Ipv6;
    }

    private void Emit(DatapathActionKind kind, uint port = 0, HeaderField field = default, ulong value = 0) =>
        _actions.Add(new DatapathAction(kind, port, field, value));

    private ulong Read(FlowField field) => field.Read(_work.ReadOnlyWords);

    private void Write(FlowField field, ulong value) => field.Write(_work.Words, value);

    private void Unwildcard(FlowField field) => field.Write(_unwildcard.Words, field.FieldMask);

    private static ulong Mix(ulong value)
    {
        value ^= value >> 33;
        value *= 0xFF51AFD7ED558CCD;
        value ^= value >> 33;
        value *= 0xC4CEB9FE1A85EC53;
        return value ^ (value >> 33);
    }
}
