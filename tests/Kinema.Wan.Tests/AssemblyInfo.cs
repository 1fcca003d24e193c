// libtorch's default random generator (manual_seed) is process-wide; tests that seed it must not interleave.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
