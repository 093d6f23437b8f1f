using System.Globalization;
using System.Text.Json;
using Sdn.Common.Packets;


namespace Sdn.Common.Tests.Packets;

/// <summary>
/// Frames built by scapy (scapy_frames.py, one run for all of them) must extract to the flow-key values that
/// scapy's own dissection reports.
/// </summary>
public class ScapyFrameTests
{
    // Debian's python3-scapy installs for the system interpreter, which another python3 on PATH may not see.
    private const string SystemPython = "/usr/bin/python3";

    private static readonly Dictionary<string, Func<FlowKey, UInt128>> Fields = new()
    {
        ["EthDst"] = k => k.EthDst,
        ["EthSrc"] = k => k.EthSrc,
        ["EthType"] = k => k.EthType,
        ["VlanTci"] = k => k.VlanTci,
        ["OuterVlanTci"] = k => k.OuterVlanTci,
        ["MplsTopEntry"] = k => k.MplsTopEntry,
        ["MplsDepth"] = k => k.MplsDepth,
        ["ArpOp"] = k => k.ArpOp,
        ["ArpSpa"] = k => k.ArpSpa,
        ["ArpTpa"] = k => k.ArpTpa,
        ["Ipv4Src"] = k => k.Ipv4Src,
        ["Ipv4Dst"] = k => k.Ipv4Dst,
        ["Ipv6Src"] = k => k.Ipv6Src,
        ["Ipv6Dst"] = k => k.Ipv6Dst,
        ["IpProto"] = k => k.IpProto,
        ["IpTtl"] = k => k.IpTtl,
        ["IpDscp"] = k => k.IpDscp,
        ["IpEcn"] = k => k.IpEcn,
        ["IpFrag"] = k => (byte)k.IpFrag,
        ["L4Src"] = k => k.L4Src,
        ["L4Dst"] = k => k.L4Dst,
        ["IcmpType"] = k => k.IcmpType,
        ["IcmpCode"] = k => k.IcmpCode,
    };

    [Fact]
    public void Frames_built_by_scapy_extract_to_the_values_scapy_reports()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Packets", "scapy_frames.py");
        var lines = ExternalTool.Run(SystemPython, "python3-scapy", script).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length > 50, $"scapy_frames.py printed only {lines.Length} frames");

        var mismatches = new List<string>();
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            var name = json.RootElement.GetProperty("name").GetString();
            var frame = Convert.FromHexString(json.RootElement.GetProperty("hex").GetString()!);
            var result = FlowKeyExtractor.Extract(frame, 3, out var key, out _);
            if (!result.IsOk)
            {
                mismatches.Add($"{name}: {result}");
            }

            foreach (var field in json.RootElement.GetProperty("expect").EnumerateObject())
            {
                var expected = UInt128.Parse(field.Value.GetString()!, CultureInfo.InvariantCulture);
                var actual = Fields[field.Name](key);
                if (actual != expected)
                {
                    mismatches.Add($"{name}: {field.Name} is {actual}, scapy says {expected}");
                }
            }
        }

        var report = string.Join(Environment.NewLine, mismatches);
        Assert.True(report.Length == 0, report);
    }
}
