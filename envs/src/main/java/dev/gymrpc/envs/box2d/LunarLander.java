package dev.gymrpc.envs.box2d;

import dev.gymrpc.envs.AbstractEnv;
import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.EnvSpec;
import dev.gymrpc.envs.InvalidOptionException;
import dev.gymrpc.envs.OptionSpec;
import dev.gymrpc.envs.Options;
import dev.gymrpc.envs.Reset;
import dev.gymrpc.envs.RgbImage;
import dev.gymrpc.envs.Space;
import dev.gymrpc.envs.Step;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;
import org.jbox2d.callbacks.ContactImpulse;
import org.jbox2d.callbacks.ContactListener;
import org.jbox2d.collision.Manifold;
import org.jbox2d.collision.shapes.EdgeShape;
import org.jbox2d.collision.shapes.MassData;
import org.jbox2d.collision.shapes.PolygonShape;
import org.jbox2d.common.Settings;
import org.jbox2d.common.Vec2;
import org.jbox2d.dynamics.Body;
import org.jbox2d.dynamics.BodyDef;
import org.jbox2d.dynamics.BodyType;
import org.jbox2d.dynamics.FixtureDef;
import org.jbox2d.dynamics.contacts.Contact;
import org.jbox2d.dynamics.joints.RevoluteJointDef;

/**
 * Port of Gymnasium 1.3's {@code LunarLander-v3} ({@code gymnasium/envs/box2d/lunar_lander.py}) to
 * jbox2d 2.2.1.1: same constants, terrain, bodies, joints, engine impulses, observation, reward and
 * termination rules, and the same order of random draws (12 terrain heights, 2 initial-force components,
 * 2 wind indices when wind is enabled, then 2 dispersion values on every step including the step that
 * {@code reset} takes).
 *
 * <p>The action type differs between the two variants, so this class is the shared physics core and
 * the registration point; the concrete envs are {@link LunarLanderDiscrete} ({@code Env<Integer>},
 * actions 0 noop, 1 left engine, 2 main engine, 3 right engine) and {@link LunarLanderContinuous}
 * ({@code Env<float[]>}, actions {@code [main, lateral]} in {@code [-1, 1]}).
 *
 * <p>Ids: {@link #SPEC} ({@code LunarLander-v3}) builds the discrete env by default and
 * {@link #CONTINUOUS_SPEC} ({@code LunarLanderContinuous-v3}) the continuous one. As in Gymnasium, both
 * accept the {@code continuous} option, which selects the variant: {@code make("LunarLander-v3",
 * continuous=true)} returns a {@link LunarLanderContinuous} (a {@code float[]}-action env whose spec id
 * is still {@code LunarLander-v3}).
 *
 * <p>Differences from the original, all deliberate: continuous actions outside {@code [-1, 1]} are
 * rejected by the project's strict action validation instead of being clipped (inside the box the
 * original's clip is the identity); {@code wind_power} and {@code turbulence_power} must be finite and
 * non-negative (Gymnasium only warns outside its recommended ranges, which are accepted here); the
 * random generator is a Java one, so a given seed gives a different episode than NumPy would; engine
 * particles are drawn as decoration by the renderer and are not physics bodies (in the original they
 * never touch the lander either).
 *
 * <p>Each reset starts from an empty world, as in the original, but the env reuses one jbox2d world
 * cleared to the state of a new one ({@link Box2dWorld}) rather than allocating a new one. That world also
 * runs continuous collision as Box2D 2.3 does: jbox2d 2.2.1.1 misplaces a body after its second
 * time-of-impact event in a step, which made some random-policy episodes end differently from
 * Gymnasium's (docs/fidelity.md).
 *
 * <p>jbox2d 2.2.1.1 gives the lander polygon a wrong rotational inertia (0.835981 instead of Box2D 2.3's
 * 0.833315 kg m^2 about the origin); the lander's mass data is recomputed as Box2D 2.3 does. With that,
 * Gymnasium's recorded seed-0 trace is reproduced exactly, and whole recorded episodes of the original
 * (landing, sleep, wind, crashes) replay step by step with observation differences of 1e-6 to 2e-5 (see
 * the tests).
 * {@code Settings.SINCOS_LUT_ENABLED} is switched off for the whole JVM when this class loads (its lookup
 * table is only ~1e-4 precise).
 *
 * @param <A> the action type: {@code Integer} or {@code float[]}
 */
public abstract sealed class LunarLander<A> extends AbstractEnv<A>
        permits LunarLanderDiscrete, LunarLanderContinuous {

    static {
        // jbox2d's sine/cosine lookup table is only ~1e-4 precise; Box2D uses libm.
        Settings.SINCOS_LUT_ENABLED = false;
    }

    // ---- constants of lunar_lander.py (pixels unless stated) ----
    static final int FPS = 50;
    static final double SCALE = 30.0;
    static final double MAIN_ENGINE_POWER = 13.0;
    static final double SIDE_ENGINE_POWER = 0.6;
    static final double INITIAL_RANDOM = 1000.0;
    static final int[][] LANDER_POLY = {{-14, 17}, {-17, 0}, {-17, -10}, {17, -10}, {17, 0}, {14, 17}};
    static final double LEG_AWAY = 20;
    static final double LEG_DOWN = 18;
    static final double LEG_W = 2;
    static final double LEG_H = 8;
    static final double LEG_SPRING_TORQUE = 40;
    static final double SIDE_ENGINE_HEIGHT = 14;
    static final double SIDE_ENGINE_AWAY = 12;
    static final double MAIN_ENGINE_Y_LOCATION = 4;
    static final int VIEWPORT_W = 600;
    static final int VIEWPORT_H = 400;
    static final int CHUNKS = 11;
    /** World width and height in metres. */
    static final double W = VIEWPORT_W / SCALE;
    static final double H = VIEWPORT_H / SCALE;
    static final double HELIPAD_Y = H / 4;
    static final double HELIPAD_X1 = W / (CHUNKS - 1) * (CHUNKS / 2 - 1);
    static final double HELIPAD_X2 = W / (CHUNKS - 1) * (CHUNKS / 2 + 1);

    private static final int VELOCITY_ITERATIONS = 6 * 30;
    private static final int POSITION_ITERATIONS = 2 * 30;
    private static final float TIME_STEP = 1.0f / FPS;

    /** Option names, as Gymnasium's keyword arguments. */
    public static final String OPT_CONTINUOUS = "continuous";
    public static final String OPT_GRAVITY = "gravity";
    public static final String OPT_ENABLE_WIND = "enable_wind";
    public static final String OPT_WIND_POWER = "wind_power";
    public static final String OPT_TURBULENCE_POWER = "turbulence_power";

    public static final double DEFAULT_GRAVITY = -10.0;
    public static final double DEFAULT_WIND_POWER = 15.0;
    public static final double DEFAULT_TURBULENCE_POWER = 1.5;

    /** {@code LunarLander-v3}: discrete actions unless {@code continuous=true}. */
    public static final EnvSpec SPEC = new EnvSpec("LunarLander-v3", o -> fromOptions(false, o),
            1000, 200.0, options(false),
            "Land a rocket on a pad (Box2D); Discrete(4) actions, or Box(2) with continuous=true");

    /** {@code LunarLanderContinuous-v3}: continuous actions unless {@code continuous=false}. */
    public static final EnvSpec CONTINUOUS_SPEC = new EnvSpec("LunarLanderContinuous-v3",
            o -> fromOptions(true, o), 1000, 200.0, options(true),
            "Land a rocket on a pad (Box2D) with continuous throttles; Box(-1, 1, (2,)) actions");

    private static List<OptionSpec> options(boolean continuousDefault) {
        return List.of(
                OptionSpec.bool(OPT_CONTINUOUS, continuousDefault,
                        "continuous throttles: actions are Box(-1, 1, (2,)) [main, lateral] instead of Discrete(4)"),
                OptionSpec.real(OPT_GRAVITY, DEFAULT_GRAVITY, "gravity in m/s^2, must be in (-12, 0)"),
                OptionSpec.bool(OPT_ENABLE_WIND, false, "apply wind force and turbulence torque while airborne"),
                OptionSpec.real(OPT_WIND_POWER, DEFAULT_WIND_POWER,
                        "maximum wind force; finite and >= 0 (recommended 0..20)"),
                OptionSpec.real(OPT_TURBULENCE_POWER, DEFAULT_TURBULENCE_POWER,
                        "maximum turbulence torque; finite and >= 0 (recommended 0..2)"));
    }

    private static LunarLander<?> fromOptions(boolean continuousId, Options o) {
        EnvSpec spec = continuousId ? CONTINUOUS_SPEC : SPEC;
        double gravity = o.getDouble(OPT_GRAVITY);
        boolean wind = o.getBool(OPT_ENABLE_WIND);
        double windPower = o.getDouble(OPT_WIND_POWER);
        double turbulence = o.getDouble(OPT_TURBULENCE_POWER);
        return o.getBool(OPT_CONTINUOUS)
                ? new LunarLanderContinuous(spec, gravity, wind, windPower, turbulence, null)
                : new LunarLanderDiscrete(spec, gravity, wind, windPower, turbulence, null);
    }

    static final Box OBSERVATION_SPACE = Box.of(
            new float[] {-2.5f, -2.5f, -10f, -10f, (float) (-2 * Math.PI), -10f, -0.0f, -0.0f},
            new float[] {2.5f, 2.5f, 10f, 10f, (float) (2 * Math.PI), 10f, 1f, 1f});

    // ---- configuration ----
    private final double gravity;
    private final boolean enableWind;
    private final double windPower;
    private final double turbulencePower;
    private final LongFunction<RandomGenerator> generators;

    // ---- episode state ----
    private Box2dWorld world;
    private Body moon;
    private Body lander;
    private final Body[] legs = new Body[2];
    private final boolean[] legContact = new boolean[2];
    private boolean gameOver;
    private boolean hasPrevShaping;
    private double prevShaping;
    private long windIdx;
    private long torqueIdx;
    /** Terrain: smooth_y at chunk_x[i] = 2i, i = 0..10. */
    private final double[] smoothY = new double[CHUNKS];
    private final double[] state = new double[8];
    private long stepCount;

    // ---- reusable temporaries (jbox2d copies vectors passed in) ----
    private final Vec2 tmpA = new Vec2();
    private final Vec2 tmpB = new Vec2();

    /** Engine-fire events kept for the renderer's flame particles (never use the env RNG). */
    final FlameTrail flames = new FlameTrail();

    private final ContactListener contactDetector = new ContactListener() {
        @Override
        public void beginContact(Contact contact) {
            Body a = contact.getFixtureA().getBody();
            Body b = contact.getFixtureB().getBody();
            if (a == lander || b == lander) {
                gameOver = true;
            }
            for (int i = 0; i < 2; i++) {
                if (a == legs[i] || b == legs[i]) {
                    legContact[i] = true;
                }
            }
        }

        @Override
        public void endContact(Contact contact) {
            Body a = contact.getFixtureA().getBody();
            Body b = contact.getFixtureB().getBody();
            for (int i = 0; i < 2; i++) {
                if (a == legs[i] || b == legs[i]) {
                    legContact[i] = false;
                }
            }
        }

        @Override
        public void preSolve(Contact contact, Manifold oldManifold) {
        }

        @Override
        public void postSolve(Contact contact, ContactImpulse impulse) {
        }
    };

    /**
     * @param generators when non-null, replaces {@link #newGenerator(long)} (tests inject recorded draws)
     */
    LunarLander(EnvSpec spec, Space<A> actionSpace, double gravity, boolean enableWind, double windPower,
                double turbulencePower, LongFunction<RandomGenerator> generators) {
        super(spec, OBSERVATION_SPACE, actionSpace);
        if (!(gravity > -12.0 && gravity < 0.0)) {
            throw new InvalidOptionException(OPT_GRAVITY, "must be between -12 and 0 (exclusive), got " + gravity);
        }
        if (!(windPower >= 0.0) || Double.isInfinite(windPower)) {
            throw new InvalidOptionException(OPT_WIND_POWER, "must be finite and >= 0, got " + windPower);
        }
        if (!(turbulencePower >= 0.0) || Double.isInfinite(turbulencePower)) {
            throw new InvalidOptionException(OPT_TURBULENCE_POWER, "must be finite and >= 0, got " + turbulencePower);
        }
        this.gravity = gravity;
        this.enableWind = enableWind;
        this.windPower = windPower;
        this.turbulencePower = turbulencePower;
        this.generators = generators;
    }

    /** Whether actions are continuous throttles ({@code float[]}) rather than {@code Integer}s. */
    public abstract boolean isContinuous();

    public final double gravity() {
        return gravity;
    }

    public final boolean windEnabled() {
        return enableWind;
    }

    public final double windPower() {
        return windPower;
    }

    public final double turbulencePower() {
        return turbulencePower;
    }

    @Override
    protected RandomGenerator newGenerator(long seed) {
        return generators != null ? generators.apply(seed) : super.newGenerator(seed);
    }

    private double uniform(double low, double high) {
        return low + (high - low) * rng().nextDouble();
    }

    // ------------------------------------------------------------------ reset

    @Override
    protected final Reset doReset(Map<String, ?> options) {
        rejectResetOptions(options);
        // v3 builds a brand-new world every reset (it is what made v3 deterministic). Building one costs
        // ~0.9 MB of preallocated solver storage, so the env keeps one world and clears it back to the
        // state of a new one (Box2dWorld documents why that is exact).
        if (world == null) {
            world = new Box2dWorld(new Vec2(0f, (float) gravity));
        } else {
            world.clear();
        }
        world.setContactListener(contactDetector);
        gameOver = false;
        hasPrevShaping = false;
        legContact[0] = false;
        legContact[1] = false;
        stepCount = 0;
        flames.clear();

        // Terrain
        double[] height = new double[CHUNKS + 1];
        for (int i = 0; i < height.length; i++) {
            height[i] = uniform(0, H / 2);
        }
        for (int i = CHUNKS / 2 - 2; i <= CHUNKS / 2 + 2; i++) {
            height[i] = HELIPAD_Y;
        }
        for (int i = 0; i < CHUNKS; i++) {
            // 0.33, not 1/3; height[-1] is Python's wrap-around to the last element.
            double prev = height[i == 0 ? height.length - 1 : i - 1];
            smoothY[i] = 0.33 * (prev + height[i] + height[i + 1]);
        }

        BodyDef moonDef = new BodyDef();
        moonDef.type = BodyType.STATIC;
        moon = world.createBody(moonDef);
        EdgeShape bottom = new EdgeShape();
        bottom.set(new Vec2(0f, 0f), new Vec2((float) W, 0f));
        FixtureDef bottomDef = new FixtureDef();
        bottomDef.shape = bottom;
        bottomDef.friction = 0.2f;
        moon.createFixture(bottomDef);
        for (int i = 0; i < CHUNKS - 1; i++) {
            EdgeShape edge = new EdgeShape();
            edge.set(new Vec2((float) chunkX(i), (float) smoothY[i]), new Vec2((float) chunkX(i + 1), (float) smoothY[i + 1]));
            FixtureDef fd = new FixtureDef();
            fd.shape = edge;
            fd.density = 0f;
            fd.friction = 0.1f;
            moon.createFixture(fd);
        }

        // Lander
        double initialX = W / 2;
        double initialY = H;
        BodyDef landerDef = new BodyDef();
        landerDef.type = BodyType.DYNAMIC;
        landerDef.position.set((float) initialX, (float) initialY);
        landerDef.angle = 0f;
        lander = world.createBody(landerDef);
        Vec2[] poly = new Vec2[LANDER_POLY.length];
        for (int i = 0; i < poly.length; i++) {
            poly[i] = new Vec2((float) (LANDER_POLY[i][0] / SCALE), (float) (LANDER_POLY[i][1] / SCALE));
        }
        PolygonShape landerShape = new PolygonShape();
        landerShape.set(poly, poly.length);
        FixtureDef landerFix = new FixtureDef();
        landerFix.shape = landerShape;
        landerFix.density = 5.0f;
        landerFix.friction = 0.1f;
        landerFix.restitution = 0.0f;
        landerFix.filter.categoryBits = 0x0010;
        landerFix.filter.maskBits = 0x001;
        lander.createFixture(landerFix);
        fixPolygonInertia(lander, landerShape, landerFix.density);

        // Initial random force (acts during the first world step only).
        double fx = uniform(-INITIAL_RANDOM, INITIAL_RANDOM);
        double fy = uniform(-INITIAL_RANDOM, INITIAL_RANDOM);
        tmpA.set((float) fx, (float) fy);
        lander.applyForceToCenter(tmpA);

        if (enableWind) {
            windIdx = rng().nextLong(-9999, 9999);
            torqueIdx = rng().nextLong(-9999, 9999);
        }

        // Legs: i = -1 first, so legs[0] is the one on the +x side.
        for (int k = 0; k < 2; k++) {
            int i = k == 0 ? -1 : +1;
            BodyDef legDef = new BodyDef();
            legDef.type = BodyType.DYNAMIC;
            legDef.position.set((float) (initialX - i * LEG_AWAY / SCALE), (float) initialY);
            legDef.angle = (float) (i * 0.05);
            Body leg = world.createBody(legDef);
            PolygonShape legShape = new PolygonShape();
            legShape.setAsBox((float) (LEG_W / SCALE), (float) (LEG_H / SCALE));
            FixtureDef legFix = new FixtureDef();
            legFix.shape = legShape;
            legFix.density = 1.0f;
            legFix.restitution = 0.0f;
            legFix.friction = 0.2f;
            legFix.filter.categoryBits = 0x0020;
            legFix.filter.maskBits = 0x001;
            leg.createFixture(legFix);

            RevoluteJointDef rjd = new RevoluteJointDef();
            rjd.bodyA = lander;
            rjd.bodyB = leg;
            rjd.localAnchorA.set(0f, 0f);
            rjd.localAnchorB.set((float) (i * LEG_AWAY / SCALE), (float) (LEG_DOWN / SCALE));
            // pybox2d sets referenceAngle = bodyB.angle - bodyA.angle implicitly; jbox2d does not.
            rjd.referenceAngle = leg.getAngle() - lander.getAngle();
            rjd.enableMotor = true;
            rjd.enableLimit = true;
            rjd.maxMotorTorque = (float) LEG_SPRING_TORQUE;
            rjd.motorSpeed = (float) (0.3 * i);
            if (i == -1) {
                rjd.lowerAngle = (float) (0.9 - 0.5);
                rjd.upperAngle = 0.9f;
            } else {
                rjd.lowerAngle = -0.9f;
                rjd.upperAngle = (float) (-0.9 + 0.5);
            }
            world.createJoint(rjd);
            legs[k] = leg;
        }

        float[] obs = advance(0.0, 0, 0.0).observation();
        return new Reset(obs, Map.of());
    }

    /**
     * jbox2d 2.2.1.1's {@code PolygonShape.computeMass} takes the polygon's inertia about the vertex
     * average but shifts it as if it were about the centroid, so a polygon whose vertex average is not its
     * centroid (the lander's) gets too much inertia: 0.835981 instead of Box2D 2.3's 0.833315 kg m^2 about
     * the origin. This recomputes the mass data with Box2D 2.3.0's {@code b2PolygonShape::ComputeMass}
     * (same float operations) and installs it as {@code b2Body::ResetMassData} would.
     */
    private static void fixPolygonInertia(Body body, PolygonShape shape, float density) {
        int n = shape.getVertexCount();
        Vec2[] v = shape.getVertices();
        float sx = 0f;
        float sy = 0f;
        for (int i = 0; i < n; i++) {
            sx += v[i].x;
            sy += v[i].y;
        }
        float invN = 1.0f / n;
        sx *= invN;
        sy *= invN;
        final float kInv3 = 1.0f / 3.0f;
        float area = 0f;
        float cx = 0f;
        float cy = 0f;
        float inertia = 0f;
        for (int i = 0; i < n; i++) {
            Vec2 p2 = i + 1 < n ? v[i + 1] : v[0];
            float e1x = v[i].x - sx;
            float e1y = v[i].y - sy;
            float e2x = p2.x - sx;
            float e2y = p2.y - sy;
            float d = e1x * e2y - e1y * e2x;
            float triangleArea = 0.5f * d;
            area += triangleArea;
            cx += triangleArea * kInv3 * (e1x + e2x);
            cy += triangleArea * kInv3 * (e1y + e2y);
            float intx2 = e1x * e1x + e2x * e1x + e2x * e2x;
            float inty2 = e1y * e1y + e2y * e1y + e2y * e2y;
            inertia += (0.25f * kInv3 * d) * (intx2 + inty2);
        }
        float mass = density * area;
        float invArea = 1.0f / area;
        cx *= invArea;
        cy *= invArea;
        float centerX = cx + sx;
        float centerY = cy + sy;
        float i0 = density * inertia
                + mass * ((centerX * centerX + centerY * centerY) - (cx * cx + cy * cy));
        // b2Body::ResetMassData for a single fixture
        float invMass = 1.0f / mass;
        MassData md = new MassData();
        md.mass = mass;
        md.center.set(centerX * mass * invMass, centerY * mass * invMass);
        md.I = i0;
        body.setMassData(md);
    }

    static double chunkX(int i) {
        return W / (CHUNKS - 1) * i;
    }

    // ------------------------------------------------------------------ step

    /**
     * One step of the original's {@code step}, after the action has been turned into engine powers.
     *
     * @param mPower    main engine power: 0 (off) or 0.5..1
     * @param direction side engine direction -1 (left engine) or +1 (right engine); ignored when off
     * @param sPower    side engine power: 0 (off) or 0.5..1
     */
    final Step advance(double mPower, double direction, double sPower) {
        if (enableWind && !(legContact[0] || legContact[1])) {
            double windMag = Math.tanh(Math.sin(0.02 * windIdx) + Math.sin(Math.PI * 0.01 * windIdx)) * windPower;
            windIdx++;
            tmpA.set((float) windMag, 0f);
            lander.applyForceToCenter(tmpA);
            double torqueMag = Math.tanh(Math.sin(0.02 * torqueIdx) + Math.sin(Math.PI * 0.01 * torqueIdx))
                    * turbulencePower;
            torqueIdx++;
            lander.applyTorque((float) torqueMag);
        }

        double angle = lander.getAngle();
        double tipX = Math.sin(angle);
        double tipY = Math.cos(angle);
        double sideX = -tipY;
        double sideY = tipX;
        double d0 = uniform(-1.0, 1.0) / SCALE;
        double d1 = uniform(-1.0, 1.0) / SCALE;
        stepCount++;

        if (mPower > 0.0) {
            double ox = tipX * (MAIN_ENGINE_Y_LOCATION / SCALE + 2 * d0) + sideX * d1;
            double oy = -tipY * (MAIN_ENGINE_Y_LOCATION / SCALE + 2 * d0) - sideY * d1;
            Vec2 pos = lander.getPosition();
            double px = pos.x + ox;
            double py = pos.y + oy;
            tmpA.set((float) (-ox * MAIN_ENGINE_POWER * mPower), (float) (-oy * MAIN_ENGINE_POWER * mPower));
            tmpB.set((float) px, (float) py);
            lander.applyLinearImpulse(tmpA, tmpB);
            flames.add(stepCount, px, py, ox, oy, mPower, true);
        }

        if (sPower > 0.0) {
            double lateral = 3 * d1 + direction * SIDE_ENGINE_AWAY / SCALE;
            double ox = tipX * d0 + sideX * lateral;
            double oy = -tipY * d0 - sideY * lateral;
            Vec2 pos = lander.getPosition();
            // 17 (not SIDE_ENGINE_HEIGHT) is a quirk of the original, kept.
            double px = pos.x + ox - tipX * 17 / SCALE;
            double py = pos.y + oy + tipY * SIDE_ENGINE_HEIGHT / SCALE;
            tmpA.set((float) (-ox * SIDE_ENGINE_POWER * sPower), (float) (-oy * SIDE_ENGINE_POWER * sPower));
            tmpB.set((float) px, (float) py);
            lander.applyLinearImpulse(tmpA, tmpB);
            flames.add(stepCount, px, py, ox, oy, sPower, false);
        }

        world.step(TIME_STEP, VELOCITY_ITERATIONS, POSITION_ITERATIONS);

        Vec2 pos = lander.getPosition();
        Vec2 vel = lander.getLinearVelocity();
        double[] s = state;
        s[0] = (pos.x - W / 2) / (W / 2);
        s[1] = (pos.y - (HELIPAD_Y + LEG_DOWN / SCALE)) / (H / 2);
        s[2] = vel.x * (W / 2) / FPS;
        s[3] = vel.y * (H / 2) / FPS;
        s[4] = lander.getAngle();
        s[5] = 20.0 * lander.getAngularVelocity() / FPS;
        s[6] = legContact[0] ? 1.0 : 0.0;
        s[7] = legContact[1] ? 1.0 : 0.0;

        double shaping = -100 * Math.sqrt(s[0] * s[0] + s[1] * s[1])
                - 100 * Math.sqrt(s[2] * s[2] + s[3] * s[3])
                - 100 * Math.abs(s[4])
                + 10 * s[6]
                + 10 * s[7];
        double reward = 0;
        if (hasPrevShaping) {
            reward = shaping - prevShaping;
        }
        prevShaping = shaping;
        hasPrevShaping = true;
        reward -= mPower * 0.30;
        reward -= sPower * 0.03;

        boolean terminated = false;
        if (gameOver || Math.abs(s[0]) >= 1.0) {
            terminated = true;
            reward = -100;
        }
        if (!lander.isAwake()) {
            terminated = true;
            reward = +100;
        }

        float[] obs = new float[8];
        for (int i = 0; i < 8; i++) {
            obs[i] = (float) s[i];
        }
        return new Step(obs, reward, terminated, false, Map.of());
    }

    // ------------------------------------------------------------------ render

    @Override
    protected final RgbImage doRender() {
        return LunarLanderRenderer.render(this);
    }

    @Override
    protected void doClose() {
        world = null;
        moon = null;
        lander = null;
        legs[0] = null;
        legs[1] = null;
    }

    // ---- package-private views for the renderer and tests (jbox2d types stay in this package) ----

    Body landerBody() {
        return lander;
    }

    Body leg(int i) {
        return legs[i];
    }

    double[] smoothY() {
        return smoothY;
    }

    long stepCount() {
        return stepCount;
    }

    boolean legContact(int i) {
        return legContact[i];
    }

    boolean gameOver() {
        return gameOver;
    }

    /**
     * Recent engine firings, kept so the renderer can draw Gymnasium-like exhaust particles. Purely
     * decorative: fixed-size primitive ring buffer, no RNG, no physics.
     */
    static final class FlameTrail {
        static final int CAPACITY = 32;
        final long[] step = new long[CAPACITY];
        final double[] x = new double[CAPACITY];
        final double[] y = new double[CAPACITY];
        final double[] ox = new double[CAPACITY];
        final double[] oy = new double[CAPACITY];
        final double[] power = new double[CAPACITY];
        final boolean[] main = new boolean[CAPACITY];
        int next;
        int size;

        void clear() {
            next = 0;
            size = 0;
        }

        void add(long atStep, double px, double py, double dx, double dy, double p, boolean isMain) {
            step[next] = atStep;
            x[next] = px;
            y[next] = py;
            ox[next] = dx;
            oy[next] = dy;
            power[next] = p;
            main[next] = isMain;
            next = (next + 1) % CAPACITY;
            if (size < CAPACITY) {
                size++;
            }
        }
    }
}
