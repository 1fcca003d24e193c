namespace Kinema.Wan.Tests.Runtime;

/// <summary>Kinema.Wan holds every Scalar it hands libtorch, as Kinema.Core does.</summary>
public sealed class HeldScalarTests() : Kinema.Tests.Shared.HeldScalarTests(typeof(Kinema.Wan.Pipelines.WanModel).Assembly.Location);
