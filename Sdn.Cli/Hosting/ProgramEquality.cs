using Google.Protobuf;
using Sdn.Contracts.Southbound;

namespace Sdn.Cli.Hosting;

/// <summary>Whether a node holds what the controller compiled: the same ports, groups, flows and LFIB entries.</summary>
internal static class ProgramEquality
{
    public static bool Same(NodeProgram held, NodeProgram compiled) =>
        held.FullState(0).ToByteString() == compiled.FullState(0).ToByteString();
}
