using Sdn.Benchmarks;
using Sdn.Cli.Hosting;

// Every suite measures code that `sdn up`, `edge`, `core` or `controller` runs, so it runs with their runtime settings.
EagerTiering.Apply();
return BenchmarkRunner.Run(args);
