using System.Text;

namespace Sdn.Vmm.Devices.Serial;

/// <summary>
/// An 8250 UART at 0x3F8, transmit side only: the guest writes THR and polls LSR, which always reports the
/// transmitter empty. Bytes are collected into lines; each line goes to the VM's log and to every subscriber.
/// The other registers keep what the guest writes so a driver's probe reads them back.
/// </summary>
public sealed class SerialConsole : IBusDevice
{
    public const ushort BasePort = 0x3F8;
    public const ushort PortCount = 8;

    private const int TransmitHolding = 0;
    private const int InterruptIdentification = 2;
    private const int LineControl = 3;
    private const int LineStatus = 5;
    private const int ModemStatus = 6;
    private const byte LineStatusTransmitterEmpty = 0x60;
    private const byte NoInterruptPending = 0x01;
    private const byte ModemStatusCarrier = 0xB0;
    private const byte LineControlDivisorLatch = 0x80;
    private const int MaxLineLength = 4096;

    private readonly Lock _gate = new();
    private readonly byte[] _registers = new byte[PortCount];
    private readonly StringBuilder _log = new();
    private readonly List<string> _lines = [];
    private readonly List<byte> _pending = [];
    private Action<string>? _subscribers;

    /// <summary>Everything the guest printed so far.</summary>
    public string Log
    {
        get
        {
            lock (_gate)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The complete lines printed so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Calls <paramref name="onLine"/> for every line printed from now on, on the vCPU thread, until disposed.</summary>
    public IDisposable Subscribe(Action<string> onLine)
    {
        lock (_gate)
        {
            _subscribers += onLine;
        }

        return new Subscription(this, onLine);
    }

    public void Read(ulong offset, Span<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = ReadRegister((int)(offset & 7));
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        var register = (int)(offset & 7);
        if (register == TransmitHolding && (_registers[LineControl] & LineControlDivisorLatch) == 0)
        {
            Transmit(data);
            return;
        }

        if (data.Length > 0)
        {
            _registers[register] = data[^1];
        }
    }

    private byte ReadRegister(int register) => register switch
    {
        TransmitHolding => 0,
        InterruptIdentification => NoInterruptPending,
        LineStatus => LineStatusTransmitterEmpty,
        ModemStatus => ModemStatusCarrier,
        _ => _registers[register],
    };

    private void Transmit(ReadOnlySpan<byte> bytes)
    {
        Action<string>? subscribers;
        List<string>? completed = null;
        lock (_gate)
        {
            foreach (var b in bytes)
            {
                if (b == (byte)'\r')
                {
                    continue;
                }

                if (b != (byte)'\n' && _pending.Count < MaxLineLength)
                {
                    _pending.Add(b);
                    continue;
                }

                var line = Encoding.UTF8.GetString([.. _pending]);
                _pending.Clear();
                _lines.Add(line);
                _log.Append(line).Append('\n');
                (completed ??= []).Add(line);
            }

            subscribers = _subscribers;
        }

        if (completed is not null && subscribers is not null)
        {
            foreach (var line in completed)
            {
                subscribers(line);
            }
        }
    }

    private sealed class Subscription(SerialConsole console, Action<string> onLine) : IDisposable
    {
        public void Dispose()
        {
            lock (console._gate)
            {
                console._subscribers -= onLine;
            }
        }
    }
}
