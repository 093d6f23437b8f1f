namespace Sdn.Contracts.Southbound;

/// <summary>The port numbers an edge's program may use: the edge datapath sizes its tables by them, and the compiler numbers within them.</summary>
public static class PortNumbers
{
    /// <summary>An edge's ports are numbered from 1 to one below this.</summary>
    public const int EdgeLimit = 1024;

    /// <summary>The output port that means "the port the packet came in on" (OpenFlow's OFPP_IN_PORT).</summary>
    public const uint InPort = 0xFFFF_FFF8;
}
