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

        var start = FindStartLandingOn(memory, rip);
        var length = (int)Math.Min(memory.Size - start, (ulong)(LookBehind + 15 * InstructionsAfter));
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(memory.Slice(start, length).ToArray()));
        decoder.IP = start;
        var instructions = new List<Instruction>();
        while (decoder.IP < start + (ulong)length)
        {
            decoder.Decode(out var instruction);
            instructions.Add(instruction);
        }

        var ripIndex = instructions.FindIndex(i => i.IP == rip);
        var first = Math.Max(0, ripIndex - InstructionsBefore);
        var last = Math.Min(instructions.Count - 1, Math.Max(ripIndex, 0) + InstructionsAfter);
        var formatter = new NasmFormatter();
        var output = new StringOutput();
        var lines = new List<string>();
        for (var i = first; i <= last; i++)
        {
            formatter.Format(instructions[i], output);
            var marker = instructions[i].IP == rip ? "=>" : "  ";
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{marker} {instructions[i].IP:x8}  {output.ToStringAndReset()}"));
        }

        return lines;
    }

    private static ulong FindStartLandingOn(GuestMemory memory, ulong rip)
    {
        for (var behind = (ulong)Math.Min(LookBehind, (int)rip); behind > 0; behind--)
        {
            var start = rip - behind;
            var decoder = Decoder.Create(64, new ByteArrayCodeReader(memory.Slice(start, (int)behind).ToArray()));
            decoder.IP = start;
            while (decoder.IP < rip)
            {
                decoder.Decode(out var instruction);
                if (instruction.IsInvalid)
                {
                    break;
                }
            }

            if (decoder.IP == rip)
            {
                return start;
            }
        }

        return rip;
    }
}
