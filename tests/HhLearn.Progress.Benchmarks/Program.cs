using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(HhLearn.Progress.Benchmarks.ApplyBenchmarks).Assembly).Run(args);
