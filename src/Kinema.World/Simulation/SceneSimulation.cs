namespace Kinema.World;

/// <summary>
/// Motion of every object of a scene over a span of time. Straight movers and bouncers are rigid discs
/// integrated at a fixed step (gravity, ground bounces found at the exact instant of contact, mirrored
/// walls, elastic collisions within a depth layer); the other motions follow closed-form paths. The
/// result depends only on the scene and the duration, never on frame rate or resolution.
/// </summary>
public sealed class SceneSimulation
{
    public const double StepSeconds = 1.0 / 240;

    private const double RestingSpeed = 0.05;
    private const int CollisionIterations = 8;

    private readonly Scene _scene;
    private readonly Body?[] _bodies;
    private readonly double[][] _bodyX;
    private readonly double[][] _bodyY;
    private readonly double[][] _bodyVx;
    private readonly double[] _energy;

    public SceneSimulation(Scene scene, double seconds)
    {
        ArgumentNullException.ThrowIfNull(scene);
        if (!double.IsFinite(seconds) || seconds < 0)
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "duration must be a finite number of seconds >= 0");
        _scene = scene;
        int steps = (int)Math.Ceiling(seconds / StepSeconds) + 1;
        int count = scene.Objects.Count;
        _bodies = new Body?[count];
        _bodyX = new double[count][];
        _bodyY = new double[count][];
        _bodyVx = new double[count][];
        for (int i = 0; i < count; i++)
        {
            var o = scene.Objects[i];
            if (!o.Motion.IsDynamic()) continue;
            _bodies[i] = Body.Create(o);
            _bodyX[i] = new double[steps + 1];
            _bodyY[i] = new double[steps + 1];
            _bodyVx[i] = new double[steps + 1];
        }
        _energy = new double[steps + 1];
        // A scene may place bodies overlapping; push them apart before the first frame.
        ResolveCollisions();
        Record(0);
        for (int step = 1; step <= steps; step++)
        {
            Advance();
            Record(step);
        }
        Seconds = seconds;
    }

    public double Seconds { get; }

    /// <summary>Kinetic plus potential energy of the integrated bodies after <paramref name="step"/> steps.</summary>
    public double EnergyAtStep(int step) => _energy[Math.Clamp(step, 0, _energy.Length - 1)];

    public int StepCount => _energy.Length - 1;

    public ObjectState StateAt(int objectIndex, double seconds)
    {
        var o = _scene.Objects[objectIndex];
        var (x, y, radius, angle) = Pose(objectIndex, seconds);
        var (ax, _, _, _) = Pose(objectIndex, Math.Max(0, seconds - 0.05));
        var (bx, _, _, _) = Pose(objectIndex, seconds + 0.05);
        bool facingLeft = Math.Abs(bx - ax) > 1e-4 ? bx < ax : o.X > 0.5;
        double gait = o.Motion == MotionKind.Still ? 0 : 2 * Math.PI * WorldConstants.GaitFrequency * o.Speed.Factor() * seconds;
        double height = Math.Max(0, WorldConstants.GroundLine(o.Depth) - (y + radius));
        return new ObjectState(x, y, radius, angle, facingLeft, gait, height);
    }

    private (double X, double Y, double Radius, double Angle) Pose(int i, double t)
    {
        var o = _scene.Objects[i];
        double s = o.Speed.Factor();
        double r = o.Radius;
        double floorY = WorldConstants.GroundLine(o.Depth) - r;
        if (_bodies[i] is not null)
        {
            double position = Math.Clamp(t / StepSeconds, 0, _bodyX[i].Length - 1);
            int a = (int)position;
            int b = Math.Min(a + 1, _bodyX[i].Length - 1);
            double f = position - a;
            return (_bodyX[i][a] + (_bodyX[i][b] - _bodyX[i][a]) * f, _bodyY[i][a] + (_bodyY[i][b] - _bodyY[i][a]) * f, r, 0);
        }
        switch (o.Motion)
        {
            case MotionKind.Orbit:
            {
                double phase = WorldConstants.OrbitAngularSpeed * s * t - Math.PI / 2;
                return (o.X + WorldConstants.OrbitRadius * Math.Cos(phase), o.Y + WorldConstants.OrbitRadius * (Math.Sin(phase) + 1), r, 0);
            }
            case MotionKind.Spin:
                return (o.X, o.Y, r, WorldConstants.SpinAngularSpeed * s * t);
            case MotionKind.Grow:
                return (o.X, o.Y, r * (0.7 + 0.8 * (1 - Math.Exp(-0.45 * s * t))), 0);
            case MotionKind.Shrink:
                return (o.X, o.Y, r * (1.4 - 0.75 * (1 - Math.Exp(-0.45 * s * t))), 0);
            case MotionKind.Jump:
            {
                double period = WorldConstants.JumpPeriod / s;
                double local = (t / period - Math.Floor(t / period)) - 0.25;
                double lift = local is > 0 and < 0.6 ? 4 * WorldConstants.JumpHeight * (local / 0.6) * (1 - local / 0.6) : 0;
                return (o.X, floorY - lift, r, 0);
            }
            case MotionKind.Walk:
            {
                double x = Reflect(o.X + WalkDirection(o) * WorldConstants.WalkSpeed * s * t, r + 0.02, 1 - r - 0.02);
                double bob = 0.012 * Math.Abs(Math.Sin(2 * Math.PI * WorldConstants.GaitFrequency * s * t));
                return (x, floorY - bob, r, 0);
            }
            case MotionKind.Fly:
            {
                double x = Reflect(o.X + WalkDirection(o) * WorldConstants.FlySpeed * s * t, r + 0.02, 1 - r - 0.02);
                return (x, o.Y + 0.03 * Math.Sin(2 * Math.PI * 0.6 * s * t), r, 0);
            }
            default:
                return (o.X, o.Y, r, 0);
        }
    }

    /// <summary>Walkers and fliers head for the far side of the stage first.</summary>
    public static int WalkDirection(SceneObject o) => o.X <= 0.5 ? 1 : -1;

    /// <summary>Folds an unbounded coordinate into [lo, hi] as if it bounced between two walls.</summary>
    private static double Reflect(double value, double lo, double hi)
    {
        double span = hi - lo;
        if (span <= 0) return lo;
        double u = (value - lo) % (2 * span);
        if (u < 0) u += 2 * span;
        return lo + (u <= span ? u : 2 * span - u);
    }

    private void Record(int step)
    {
        double energy = 0;
        for (int i = 0; i < _bodies.Length; i++)
        {
            var body = _bodies[i];
            if (body is null) continue;
            _bodyX[i][step] = body.X;
            _bodyY[i][step] = body.Y;
            _bodyVx[i][step] = body.Vx;
            energy += body.Energy;
        }
        _energy[step] = energy;
    }

    private void Advance()
    {
        foreach (var body in _bodies)
            body?.Fly(StepSeconds);
        ResolveCollisions();
    }

    private void ResolveCollisions()
    {
        for (int iteration = 0; iteration < CollisionIterations; iteration++)
        {
            bool any = false;
            for (int i = 0; i < _bodies.Length; i++)
            {
                var a = _bodies[i];
                if (a is null) continue;
                for (int j = i + 1; j < _bodies.Length; j++)
                {
                    var b = _bodies[j];
                    if (b is null || a.Depth != b.Depth) continue;
                    any |= Collide(a, b, applyImpulse: iteration == 0);
                }
            }
            if (!any) break;
        }
        foreach (var body in _bodies)
            body?.KeepInside();
    }

    /// <summary>
    /// Separates two overlapping discs and, when they approach, exchanges momentum along the contact
    /// normal with restitution 1 (kinetic energy kept). The separation is split in inverse proportion to
    /// mass times gravity, so the total potential energy does not change either.
    /// </summary>
    private static bool Collide(Body a, Body b, bool applyImpulse)
    {
        double dx = b.X - a.X, dy = b.Y - a.Y;
        double distance = Math.Sqrt(dx * dx + dy * dy);
        double overlap = a.Radius + b.Radius - distance;
        if (overlap <= 0) return false;
        double nx = distance > 1e-12 ? dx / distance : 1, ny = distance > 1e-12 ? dy / distance : 0;
        double ka = a.Mass * a.Gravity, kb = b.Mass * b.Gravity;
        double shareA = ka + kb > 0 ? kb / (ka + kb) : b.Mass / (a.Mass + b.Mass);
        a.X -= nx * overlap * shareA;
        a.Y -= ny * overlap * shareA;
        b.X += nx * overlap * (1 - shareA);
        b.Y += ny * overlap * (1 - shareA);
        if (applyImpulse)
        {
            double approach = (a.Vx - b.Vx) * nx + (a.Vy - b.Vy) * ny;
            if (approach > 0)
            {
                double impulse = 2 * approach / (1 / a.Mass + 1 / b.Mass);
                a.Vx -= impulse / a.Mass * nx;
                a.Vy -= impulse / a.Mass * ny;
                b.Vx += impulse / b.Mass * nx;
                b.Vy += impulse / b.Mass * ny;
                a.Resting = false;
                b.Resting = false;
            }
        }
        return true;
    }

    private sealed class Body
    {
        public double X, Y, Vx, Vy;
        public double Radius, Mass, Gravity, FloorY;
        public int Depth;
        public bool Resting;

        public static Body Create(SceneObject o)
        {
            double s = o.Speed.Factor();
            double r = o.Radius;
            var body = new Body
            {
                Radius = r,
                Mass = r * r,
                Depth = o.Depth,
                FloorY = WorldConstants.GroundLine(o.Depth) - r,
                X = Math.Clamp(o.X, r, 1 - r),
            };
            body.Y = Math.Clamp(o.Y, r, body.FloorY);
            if (o.Motion == MotionKind.Bounce)
            {
                body.Gravity = WorldConstants.Gravity * s * s;
                body.Vx = (o.X <= 0.5 ? 1 : -1) * 0.05 * s;
            }
            else
            {
                var (dx, dy) = o.Motion.MoveDirection();
                body.Vx = dx * WorldConstants.StraightMoveSpeed * s;
                body.Vy = dy * WorldConstants.StraightMoveSpeed * s;
            }
            return body;
        }

        public double Energy => 0.5 * Mass * (Vx * Vx + Vy * Vy) + Mass * Gravity * (FloorY - Y);

        public void Fly(double dt)
        {
            X += Vx * dt;
            if (X < Radius) { X = 2 * Radius - X; Vx = -Vx; }
            else if (X > 1 - Radius) { X = 2 * (1 - Radius) - X; Vx = -Vx; }

            if (Gravity == 0)
            {
                Y += Vy * dt;
                if (Y < Radius) { Y = 2 * Radius - Y; Vy = -Vy; }
                else if (Y > FloorY) { Y = 2 * FloorY - Y; Vy = -Vy; }
                return;
            }
            if (Resting) return;
            double remaining = dt;
            for (int bounce = 0; bounce < 4 && remaining > 0; bounce++)
            {
                // Solve Y + Vy*t + g*t^2/2 = FloorY for the first contact within this step.
                double c = Y - FloorY;
                double disc = Vy * Vy - 2 * Gravity * c;
                double contact = disc >= 0 ? (-Vy + Math.Sqrt(disc)) / Gravity : double.PositiveInfinity;
                if (contact < 0 || contact > remaining)
                {
                    Y += Vy * remaining + 0.5 * Gravity * remaining * remaining;
                    Vy += Gravity * remaining;
                    remaining = 0;
                    break;
                }
                Y = FloorY;
                Vy = -(Vy + Gravity * contact) * WorldConstants.GroundRestitution;
                remaining -= contact;
                if (Math.Abs(Vy) < RestingSpeed)
                {
                    Vy = 0;
                    Resting = true;
                    break;
                }
            }
            if (Y < Radius) { Y = 2 * Radius - Y; Vy = Math.Abs(Vy); }
        }

        /// <summary>
        /// After collisions push a body out of the stage, puts it back. Lifting a body off the floor would add
        /// potential energy, so its speed pays for the lift.
        /// </summary>
        public void KeepInside()
        {
            X = Math.Clamp(X, Radius, 1 - Radius);
            if (Y < Radius) Y = Radius;
            if (Y > FloorY)
            {
                double lift = Y - FloorY;
                Y = FloorY;
                if (Gravity > 0)
                {
                    double speedSquared = Vx * Vx + Vy * Vy;
                    double remaining = Math.Max(0, speedSquared - 2 * Gravity * lift);
                    double scale = speedSquared > 0 ? Math.Sqrt(remaining / speedSquared) : 0;
                    Vx *= scale;
                    Vy *= scale;
                }
                if (Vy > 0) Vy = Gravity > 0 ? 0 : -Vy;
            }
        }
    }
}
