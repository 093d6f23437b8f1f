namespace Sdn.Benchmarks;

/// <summary>
/// One benchmark suite, run as `dotnet run -c Release --project tests/Sdn.Benchmarks -- NAME --json`.
/// A suite measures its subject and a baseline or peer in the same run, and reports ratios,
/// because this machine is shared and raw times alone are noise.
/// </summary>
internal interface IBenchmarkSuite
{
    string Name { get; }

    string Description { get; }

    /// <summary>Runs the suite and returns its figures, in the order they should be printed.</summary>
    IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options);
}
