using System.Globalization;

namespace Sdn.Common.Capture;

/// <summary>
/// Writes a session's frames to pcapng files. With a size bound it keeps a ring of files, as
/// tcpdump's -C/-W do: "trace.pcapng" becomes "trace.0.pcapng", "trace.1.pcapng", … and the
/// oldest is overwritten once the ring is full. Each file is complete in itself.
/// </summary>
public sealed class PcapngFileRing : IDisposable
{
    private readonly string _path;
    private readonly IReadOnlyList<CapturePort> _ports;
    private readonly int _snapLength;
    private readonly long _maxFileBytes;
    private readonly int _maxFiles;
    private PcapngWriter _writer;
    private int _fileIndex;

    /// <param name="maxFileBytes">Start a new file past this size; 0 writes a single file at <paramref name="path"/>.</param>
    /// <param name="maxFiles">How many files the ring keeps when <paramref name="maxFileBytes"/> is set.</param>
    public PcapngFileRing(string path, IReadOnlyList<CapturePort> ports, int snapLength, long maxFileBytes = 0, int maxFiles = 2)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentOutOfRangeException.ThrowIfNegative(maxFileBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFiles, 1);
        _path = path;
        _ports = ports;
        _snapLength = snapLength;
        _maxFileBytes = maxFileBytes;
        _maxFiles = maxFiles;
        _writer = OpenFile(0);
    }

    /// <summary>The files written so far, oldest first.</summary>
    public IReadOnlyList<string> Files =>
        _maxFileBytes == 0
            ? [_path]
            : Enumerable.Range(Math.Max(0, _fileIndex - _maxFiles + 1), Math.Min(_fileIndex + 1, _maxFiles)).Select(FileName).ToArray();

    public void Write(CapturedFrame frame)
    {
        if (_maxFileBytes > 0 && _writer.BytesWritten + frame.Bytes.Length + 64 > _maxFileBytes && _writer.BytesWritten > 0)
        {
            _writer.Dispose();
            _fileIndex++;
            _writer = OpenFile(_fileIndex);
        }

        _writer.WritePacket(frame.PortIndex, frame.TimestampNanoseconds, frame.Bytes, frame.OriginalLength, frame.Direction);
    }

    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();

    private PcapngWriter OpenFile(int index) => PcapngWriter.ForPorts(File.Create(_maxFileBytes == 0 ? _path : FileName(index)), _ports, _snapLength);

    private string FileName(int index)
    {
        var slot = (index % _maxFiles).ToString(CultureInfo.InvariantCulture);
        return Path.Combine(Path.GetDirectoryName(_path) ?? "", $"{Path.GetFileNameWithoutExtension(_path)}.{slot}{Path.GetExtension(_path)}");
    }
}
