namespace Sdn.Fabric.Edge.Tests.Support;

/// <summary>The addresses of the NAT tests: two inside hosts, an outside server, and the gateway's outside address; and IPv6 twins of three.</summary>
internal static class NatAddresses
{
    /// <summary>10.1.0.100.</summary>
    public const uint Inside = 0x0A_01_00_64;

    /// <summary>10.1.0.101.</summary>
    public const uint Inside2 = 0x0A_01_00_65;

    /// <summary>198.51.100.200.</summary>
    public const uint Server = 0xC6_33_64_C8;

    /// <summary>198.51.100.2.</summary>
    public const uint Gateway = 0xC6_33_64_02;

    /// <summary>fd00:1::64, <see cref="Inside"/>'s IPv6 twin.</summary>
    public static readonly UInt128 Inside6 = ((UInt128)0xFD00_0001UL << 96) | 0x64;

    /// <summary>2001:db8::c8.</summary>
    public static readonly UInt128 Server6 = ((UInt128)0x2001_0DB8UL << 96) | 0xC8;

    /// <summary>2001:db8::2.</summary>
    public static readonly UInt128 Gateway6 = ((UInt128)0x2001_0DB8UL << 96) | 2;
}
