using System.Text;
using Iced.Intel;
using Sdn.Vmm.Devices.Hypercall;
using Sdn.Vmm.Devices.Serial;
using static Iced.Intel.AssemblerRegisters;

namespace Sdn.Vmm.Guests;

/// <summary>
/// An Iced 64-bit assembler for micro-guests, plus the pieces every guest shares: string constants, serial output
/// in one exit (<c>rep outsb</c>), hypercalls, and subroutines emitted once, after the main code, on first use.
/// Subroutines follow the System V convention: arguments in RDI, RSI, RDX, RCX; result in RAX; RBX, RBP and
/// R12–R15 preserved.
/// </summary>
public sealed class GuestAssembler
{
    private readonly Dictionary<string, (Label Label, Action<GuestAssembler> Body)> _routines = [];
    private readonly List<(Label Label, byte[] Bytes)> _constants = [];
    private readonly Queue<string> _pendingRoutines = new();

    public Assembler Asm { get; } = new(64);

    /// <summary>A label on <paramref name="bytes"/>, placed after the code.</summary>
    public Label Constant(byte[] bytes)
    {
        var label = Asm.CreateLabel();
        _constants.Add((label, bytes));
        return label;
    }

    /// <summary>The label of subroutine <paramref name="name"/>, whose body is emitted once at the end.</summary>
    public Label Routine(string name, Action<GuestAssembler> body)
    {
        if (!_routines.TryGetValue(name, out var routine))
        {
            routine = (Asm.CreateLabel(name), body);
            _routines[name] = routine;
            _pendingRoutines.Enqueue(name);
        }

        return routine.Label;
    }

    /// <summary>Prints <paramref name="text"/> on the serial console with one string OUT (one exit).</summary>
    public void Print(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Asm.lea(rsi, __[Constant(bytes)]);
        Asm.mov(ecx, bytes.Length);
        PrintRsiRcx();
    }

    /// <summary>Prints RCX bytes at RSI (clobbers RSI, RCX, RDX).</summary>
    public void PrintRsiRcx()
    {
        Asm.mov(dx, SerialConsole.BasePort);
        Asm.rep.outsb();
    }

    /// <summary>Calls hypercall <paramref name="function"/> with the arguments already in RDI and RSI (clobbers EAX, DX).</summary>
    public void Hypercall(uint function)
    {
        Asm.mov(eax, function);
        Asm.mov(dx, Devices.Hypercall.Hypercall.Port);
        Asm.@out(dx, eax);
    }

    /// <summary>Reports <paramref name="value"/> (a register) under <paramref name="key"/>.</summary>
    public void Report(ReportKey key, AssemblerRegister64 value)
    {
        if (value != rsi)
        {
            Asm.mov(rsi, value);
        }

        Asm.mov(rdi, (ulong)key);
        Hypercall(Devices.Hypercall.Hypercall.Report);
    }

    /// <summary>Ends the guest with exit code <paramref name="code"/>.</summary>
    public void Exit(int code)
    {
        Asm.mov(edi, code);
        Hypercall(Devices.Hypercall.Hypercall.Exit);
    }

    /// <summary>Assembles everything for <see cref="GuestLayout.ImageAddress"/>.</summary>
    public GuestImage Build()
    {
        while (_pendingRoutines.TryDequeue(out var name))
        {
            var (label, body) = _routines[name];
            Asm.Label(ref label);
            body(this);
        }

        foreach (var (label, bytes) in _constants)
        {
            var placed = label;
            Asm.Label(ref placed);
            Asm.db(bytes);
        }

        using var stream = new MemoryStream();
        Asm.Assemble(new StreamCodeWriter(stream), GuestLayout.ImageAddress);
        return GuestImage.Flat(stream.ToArray());
    }
}
