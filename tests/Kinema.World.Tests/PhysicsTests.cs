namespace Kinema.World.Tests;

public class PhysicsTests
{
    private static readonly Scene Crowded = new(7, Background.Meadow, TimeOfDay.Day, Weather.None, CameraMotion.Static,
    [
        new SceneObject(ShapeKind.Ball, NamedColor.Red, ObjectSize.Large, MotionKind.Bounce, Speed.Fast, 0.3, 0.2, 1),
        new SceneObject(ShapeKind.Ball, NamedColor.Blue, ObjectSize.Medium, MotionKind.Bounce, Speed.Normal, 0.62, 0.3, 1),
        new SceneObject(ShapeKind.Cube, NamedColor.Green, ObjectSize.Small, MotionKind.MoveRight, Speed.Fast, 0.2, 0.6, 1),
        new SceneObject(ShapeKind.Star, NamedColor.Yellow, ObjectSize.Medium, MotionKind.MoveDownLeft, Speed.Fast, 0.8, 0.3, 1),
    ]);

    [Fact]
    public void Total_energy_never_grows()
    {
        var simulation = new SceneSimulation(Crowded, 12);
        double start = simulation.EnergyAtStep(0);
        for (int step = 1; step <= simulation.StepCount; step++)
            Assert.True(simulation.EnergyAtStep(step) <= simulation.EnergyAtStep(step - 1) + 1e-9 * start,
                $"energy grew from {simulation.EnergyAtStep(step - 1)} to {simulation.EnergyAtStep(step)} at step {step}");
    }

    [Fact]
    public void Bouncing_loses_energy_at_the_ground()
    {
        var simulation = new SceneSimulation(Crowded with { Objects = [Crowded.Objects[0]] }, 6);
        Assert.True(simulation.EnergyAtStep(simulation.StepCount) < 0.5 * simulation.EnergyAtStep(0));
    }

    [Fact]
    public void Bodies_in_the_same_layer_never_interpenetrate()
    {
        var simulation = new SceneSimulation(Crowded, 12);
        int collisionsSeen = 0;
        for (double t = 0; t <= 12; t += SceneSimulation.StepSeconds)
        {
            var states = Enumerable.Range(0, Crowded.Objects.Count).Select(i => simulation.StateAt(i, t)).ToArray();
            for (int i = 0; i < states.Length; i++)
            {
                for (int j = i + 1; j < states.Length; j++)
                {
                    double distance = Math.Sqrt(Math.Pow(states[i].X - states[j].X, 2) + Math.Pow(states[i].Y - states[j].Y, 2));
                    double contact = states[i].Radius + states[j].Radius;
                    Assert.True(distance >= contact - 0.002, $"objects {i} and {j} overlap by {contact - distance:0.0000} at t={t:0.000}");
                    if (distance < contact + 0.005) collisionsSeen++;
                }
            }
        }
        Assert.True(collisionsSeen > 0, "the scene should make bodies touch at least once");
    }

    [Fact]
    public void Bodies_stay_on_the_stage_and_above_their_ground_line()
    {
        var simulation = new SceneSimulation(Crowded, 12);
        for (double t = 0; t <= 12; t += 0.05)
        {
            for (int i = 0; i < Crowded.Objects.Count; i++)
            {
                var s = simulation.StateAt(i, t);
                Assert.InRange(s.X, s.Radius - 1e-9, 1 - s.Radius + 1e-9);
                Assert.True(s.Y + s.Radius <= WorldConstants.GroundLine(Crowded.Objects[i].Depth) + 1e-9);
            }
        }
    }

    [Fact]
    public void Gravity_pulls_a_bouncing_ball_down_first()
    {
        var simulation = new SceneSimulation(Crowded with { Objects = [Crowded.Objects[0]] }, 1);
        Assert.True(simulation.StateAt(0, 0.2).Y > simulation.StateAt(0, 0).Y + 0.01);
    }

    [Fact]
    public void Objects_in_different_layers_pass_through_each_other()
    {
        var left = new SceneObject(ShapeKind.Ball, NamedColor.Red, ObjectSize.Medium, MotionKind.MoveRight, Speed.Normal, 0.2, 0.5, 0);
        var right = left with { Color = NamedColor.Blue, Motion = MotionKind.MoveLeft, X = 0.8, Depth = 2 };
        var simulation = new SceneSimulation(Crowded with { Objects = [left, right] }, 2.5);
        Assert.True(simulation.StateAt(0, 2.5).X > 0.6, "the front ball should have passed the back one");
    }
}
