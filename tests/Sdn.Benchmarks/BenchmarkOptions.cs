namespace Sdn.Benchmarks;

/// <param name="Quick">A short run that only proves the suite works (used by tests).</param>
internal sealed record BenchmarkOptions(bool Quick);
