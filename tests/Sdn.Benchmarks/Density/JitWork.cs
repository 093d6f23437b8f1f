using System.Runtime;

namespace Sdn.Benchmarks.Density;

/// <summary>The methods the JIT compiled in the whole process (each tier's compile counts), and the time it took.</summary>
internal readonly record struct JitWork(long Methods, TimeSpan Time)
{
    public static JitWork SoFar() => new(JitInfo.GetCompiledMethodCount(currentThread: false), JitInfo.GetCompilationTime(currentThread: false));

    public static JitWork operator -(JitWork later, JitWork earlier) => new(later.Methods - earlier.Methods, later.Time - earlier.Time);
}
