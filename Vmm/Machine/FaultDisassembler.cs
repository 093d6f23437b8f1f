using System.Globalization;
using Iced.Intel;
using Sdn.Vmm.Memory;

namespace Sdn.Vmm.Machine;

/// <summary>
/// Disassembles the guest code around a faulting RIP with Iced. x86 cannot be decoded backwards, so it tries
/// start points before RIP until one decodes exactly onto RIP, and marks RIP's line with "=>".
/// </summary>
internal static class FaultDisassembler
{
    private const int LookBehind = 24;
    private const int InstructionsBefore = 4;
    private const int InstructionsAfter = 6;

    public static IReadOnlyList<string> Around(GuestMemory memory, ulong rip)
    {
        if (!memory.Contains(rip, 1))
        {
            return [$"rip 0x{rip:x} lies outside guest RAM (0x{memory.Size:x} bytes): nothing to disassemble"];
        }

        var windowStart = rip - Math.Min(rip, (ulong)LookBehind);
        var window = memory.Slice(windowStart, (int)Math.Min(memory.Size - windowStart, (ulong)(LookBehind + 15 * InstructionsAfter))).ToArray();
        List<Instruction> instructions = [];
        var ripIndex = -1;
        for (var start = windowStart; start <= rip && ripIndex < 0; start++)
        {
            instructions = Decode(window, windowStart, start);
            ripIndex = instructions.FindIndex(i => i.IP == rip);
        }

        var first = Math.Max(0, ripIndex - InstructionsBefore);
        var last = Math.Min(instructions.Count - 1, ripIndex + InstructionsAfter);
        var formatter = new NasmFormatter();
        var output = new StringOutput();
        var lines = new List<string>();
        for (var i = first; i <= last; i++)
        {
            formatter.Format(instructions[i], output);
            var marker = i == ripIndex ? "=>" : "  ";
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{marker} {instructions[i].IP:x8}  {output.ToStringAndReset()}"));
        }

        return lines;
    }

    /// <summary>Decodes <paramref name="window"/> (which starts at <paramref name="windowStart"/>) from <paramref name="start"/> to its end.</summary>
    private static List<Instruction> Decode(byte[] window, ulong windowStart, ulong start)
    {
        var offset = (int)(start - windowStart);
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(window, offset, window.Length - offset));
        decoder.IP = start;
        var instructions = new List<Instruction>();
        var end = windowStart + (ulong)window.Length;
        while (decoder.IP < end)
        {
            decoder.Decode(out var instruction);
            instructions.Add(instruction);
        }

        return instructions;
    }
}
