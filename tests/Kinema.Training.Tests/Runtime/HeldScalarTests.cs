namespace Kinema.Training.Tests.Runtime;

/// <summary>Kinema.Training holds every Scalar it hands libtorch, as Kinema.Core does.</summary>
public sealed class HeldScalarTests() : Kinema.Tests.Shared.HeldScalarTests(typeof(Kinema.Training.DitTrainer).Assembly.Location);
