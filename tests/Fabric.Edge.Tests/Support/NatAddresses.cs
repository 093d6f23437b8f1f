namespace Sdn.Fabric.Edge.Tests.Support;

/// <summary>The addresses of the NAT tests: two inside hosts, an outside server, and the gateway's outside address.</summary>
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
}
