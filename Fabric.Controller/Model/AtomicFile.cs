namespace Sdn.Fabric.Controller.Model;

/// <summary>
/// Writes a file whole or not at all: into PATH.tmp, flushed to disk, then renamed over PATH, so a crash leaves the
/// old content or the new one, never a torn file.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            write(file);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
