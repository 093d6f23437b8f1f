using Google.Protobuf;
using Sdn.Contracts.Southbound;

namespace Sdn.Cli.Hosting;

/// <summary>
/// Whether a node holds what the controller compiled: the same ports, groups, flows and LFIB entries. Programs are
/// immutable, so the last pair found the same is remembered, and programs of different sizes differ: a bring-up that
/// asks every few milliseconds compares whole programs only once they are the same size, and once per pair. For one
/// caller at a time.
/// </summary>
internal sealed class ProgramEquality
{
    private (NodeProgram Held, NodeProgram Compiled)? _lastSame;

    public bool Same(NodeProgram held, NodeProgram compiled)
    {
        if (ReferenceEquals(held, compiled) || (_lastSame is var (lastHeld, lastCompiled) && ReferenceEquals(held, lastHeld) && ReferenceEquals(compiled, lastCompiled)))
        {
            return true;
        }

        var same = held.Tables.Count == compiled.Tables.Count && held.Ports.Count == compiled.Ports.Count && held.Groups.Count == compiled.Groups.Count
            && held.Flows.Count == compiled.Flows.Count && held.Lfib.Count == compiled.Lfib.Count
            && held.FullState(0).ToByteString() == compiled.FullState(0).ToByteString();
        if (same)
        {
            _lastSame = (held, compiled);
        }

        return same;
    }
}
