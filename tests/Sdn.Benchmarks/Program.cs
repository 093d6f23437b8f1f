using Sdn.Benchmarks;

return BenchmarkRunner.Run(args);
