package dev.gymrpc.envs.box2d;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.jbox2d.collision.TimeOfImpact.TOIInput;
import org.jbox2d.collision.TimeOfImpact.TOIOutput;
import org.jbox2d.collision.TimeOfImpact.TOIOutputState;
import org.jbox2d.collision.broadphase.DynamicTree;
import org.jbox2d.common.MathUtils;
import org.jbox2d.common.Rot;
import org.jbox2d.common.Settings;
import org.jbox2d.common.Sweep;
import org.jbox2d.common.Vec2;
import org.jbox2d.dynamics.Body;
import org.jbox2d.dynamics.BodyType;
import org.jbox2d.dynamics.ContactManager;
import org.jbox2d.dynamics.Fixture;
import org.jbox2d.dynamics.Island;
import org.jbox2d.dynamics.TimeStep;
import org.jbox2d.dynamics.World;
import org.jbox2d.dynamics.contacts.Contact;
import org.jbox2d.dynamics.contacts.ContactEdge;

/**
 * A jbox2d 2.2.1.1 {@link World} that behaves as Box2D 2.3 (pybox2d, which Gymnasium runs) where jbox2d
 * differs, and that {@link #clear()} empties back to the state of a new one, so that an env can keep one
 * world for all its episodes instead of building one per reset.
 *
 * <h2>Continuous collision (time of impact)</h2>
 *
 * <p>jbox2d 2.2.1.1's {@code Sweep.advance(alpha)} treats {@code alpha} as a fraction of the remaining
 * sweep and never updates {@code alpha0}: {@code c0 = (1 - alpha) c0 + alpha c}. Box2D's
 * {@code b2Sweep::Advance} first converts the world-step fraction {@code alpha} to a fraction of what
 * remains, {@code beta = (alpha - alpha0) / (1 - alpha0)}, and then sets {@code alpha0 = alpha} (jbox2d
 * fixed this after 2.2.1.1). The two agree on a body's first time-of-impact event in a step (alpha0 = 0,
 * so beta = alpha exactly) and differ from the second on: jbox2d then moves the body too far along its
 * sweep. A lander leg touching two terrain edges at the vertex between them gets several TOI events in a
 * step, and its position (not its velocity) came out up to a few centimetres off, which later decided
 * whether the lander body hit the ground (docs/fidelity.md). jbox2d's own TOI phase is therefore switched
 * off ({@code setContinuousPhysics(false)}) and {@link #step} runs {@link #solveToi} after the discrete
 * step instead: Box2D 2.3.0's {@code b2World::SolveTOI}, with its sweep advance. The discrete step ends
 * by clearing forces before this phase instead of after it; the TOI phase does not read forces.
 *
 * <p>Why: a new jbox2d 2.2.1.1 {@code World} preallocates its islands' contact solvers (4 x 256 position
 * and velocity constraints) and a pool of temporaries, about 0.9 MB; with one world per LunarLander reset
 * that was ~9 KB per env step (84% of all allocation in a JFR profile) and made 64 landers cost about
 * twice as much per step as one.
 *
 * <p>Why the cleared world behaves exactly as a new one (the trajectory must not depend on the episodes
 * before it). A world's simulation state is:
 * <ul>
 *   <li>its bodies, fixtures, joints and contacts: {@code destroyBody} removes them all (a body's joints,
 *       contacts and broad-phase proxies go with it); the env then creates new ones;
 *   <li>the broad phase, whose proxy ids, tree shape and free-list order decide the order in which pairs
 *       are found and so the order of contacts and of the constraint solver: replaced by a new contact
 *       manager with a new {@link DynamicTree}, exactly what the {@code World} constructor builds;
 *   <li>{@code m_inv_dt0}, the inverse of the previous time step, which scales warm-starting impulses in
 *       the first step ({@code dtRatio}): set back to 0 as in a new world;
 *   <li>flags (sleep, warm starting, continuous physics, sub-stepping) and gravity, never changed here.
 * </ul>
 * What persists is storage only: the contact objects in the pool (re-initialised by
 * {@code Contact.init} when reused, which a single world also does within an episode), the islands'
 * arrays and solver constraints and the pooled temporaries, all written before they are read (in Box2D's
 * C++ they are uninitialised stack or heap memory). {@code LunarLanderWorldReuseTest} checks the claim
 * bit for bit: episode k of a long run of resets equals the same seed's episode on a new env.
 */
final class Box2dWorld extends World {

    /** The previous step's inverse time step; private in jbox2d, so set reflectively (once per reset). */
    private static final Field INV_DT0;

    static {
        try {
            INV_DT0 = World.class.getDeclaredField("m_inv_dt0");
            INV_DT0.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** jbox2d's {@code Body.synchronizeFixtures} (protected): updates a moved body's broad-phase proxies. */
    private static final Method SYNCHRONIZE_FIXTURES;
    private static final Field TOI_ISLAND;

    static {
        try {
            SYNCHRONIZE_FIXTURES = Body.class.getDeclaredMethod("synchronizeFixtures");
            SYNCHRONIZE_FIXTURES.setAccessible(true);
            TOI_ISLAND = World.class.getDeclaredField("toiIsland");
            TOI_ISLAND.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** jbox2d's own TOI island (unused by jbox2d once its TOI phase is off): saves a second ~0.2 MB island. */
    private final Island toiIsland;
    private final TOIInput toiInput = new TOIInput();
    private final TOIOutput toiOutput = new TOIOutput();
    private final TimeStep subStep = new TimeStep();
    private final Sweep backup1 = new Sweep();
    private final Sweep backup2 = new Sweep();
    private final Sweep backup = new Sweep();
    private final Body[] pair = new Body[2];

    Box2dWorld(Vec2 gravity) {
        super(gravity);
        setContinuousPhysics(false);
        try {
            toiIsland = (Island) TOI_ISLAND.get(this);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void step(float dt, int velocityIterations, int positionIterations) {
        super.step(dt, velocityIterations, positionIterations);
        if (dt > 0.0f) {
            solveToi(dt, velocityIterations);
        }
    }

    /** {@code b2Sweep::Advance} as in Box2D 2.3 (pybox2d): advance the sweep start to world-step time alpha. */
    static void advanceSweep(Sweep s, float alpha) {
        float beta = (alpha - s.alpha0) / (1.0f - s.alpha0);
        s.c0.x = (1.0f - beta) * s.c0.x + beta * s.c.x;
        s.c0.y = (1.0f - beta) * s.c0.y + beta * s.c.y;
        s.a0 = (1.0f - beta) * s.a0 + beta * s.a;
        s.alpha0 = alpha;
    }

    /** A copy of a sweep as Box2D's struct assignment makes it; jbox2d's {@code Sweep.set} omits alpha0. */
    private static void copySweep(Sweep to, Sweep from) {
        to.set(from);
        to.alpha0 = from.alpha0;
    }

    /** {@code b2Body::Advance}: move the body to time alpha (no broad-phase update); jbox2d's arithmetic. */
    private static void advanceBody(Body b, float alpha) {
        advanceSweep(b.m_sweep, alpha);
        b.m_sweep.c.set(b.m_sweep.c0);
        b.m_sweep.a = b.m_sweep.a0;
        b.m_xf.q.set(b.m_sweep.a);
        Rot.mulToOutUnsafe(b.m_xf.q, b.m_sweep.localCenter, b.m_xf.p);
        b.m_xf.p.mulLocal(-1).addLocal(b.m_sweep.c);
    }

    private static void synchronizeFixtures(Body b) {
        try {
            SYNCHRONIZE_FIXTURES.invoke(b);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Box2D 2.3.0's {@code b2World::SolveTOI} (sub-stepping off): repeatedly find the earliest time of
     * impact among the contacts, move the two bodies there, solve that contact and the ones between them
     * and static bodies, and integrate the rest of the step. Same statements and order as jbox2d's
     * {@code World.solveTOI} except the sweep advance (see the class comment).
     */
    private void solveToi(float dt, int velocityIterations) {
        Island island = toiIsland;
        island.init(2 * Settings.maxTOIContacts, Settings.maxTOIContacts, 0, m_contactManager.m_contactListener);
        for (Body b = getBodyList(); b != null; b = b.getNext()) {
            b.m_flags &= ~Body.e_islandFlag;
            b.m_sweep.alpha0 = 0.0f;
        }
        for (Contact c = m_contactManager.m_contactList; c != null; c = c.m_next) {
            c.m_flags &= ~(Contact.TOI_FLAG | Contact.ISLAND_FLAG);
            c.m_toiCount = 0;
            c.m_toi = 1.0f;
        }

        for (;;) {
            Contact minContact = null;
            float minAlpha = 1.0f;
            for (Contact c = m_contactManager.m_contactList; c != null; c = c.m_next) {
                if (!c.isEnabled() || c.m_toiCount > Settings.maxSubSteps) {
                    continue;
                }
                float alpha = 1.0f;
                if ((c.m_flags & Contact.TOI_FLAG) != 0) {
                    alpha = c.m_toi;
                } else {
                    Fixture fA = c.getFixtureA();
                    Fixture fB = c.getFixtureB();
                    if (fA.isSensor() || fB.isSensor()) {
                        continue;
                    }
                    Body bA = fA.getBody();
                    Body bB = fB.getBody();
                    BodyType typeA = bA.m_type;
                    BodyType typeB = bB.m_type;
                    boolean activeA = bA.isAwake() && typeA != BodyType.STATIC;
                    boolean activeB = bB.isAwake() && typeB != BodyType.STATIC;
                    if (!activeA && !activeB) {
                        continue;
                    }
                    boolean collideA = bA.isBullet() || typeA != BodyType.DYNAMIC;
                    boolean collideB = bB.isBullet() || typeB != BodyType.DYNAMIC;
                    if (!collideA && !collideB) {
                        continue;
                    }
                    // Put the sweeps onto the same time interval.
                    float alpha0 = bA.m_sweep.alpha0;
                    if (bA.m_sweep.alpha0 < bB.m_sweep.alpha0) {
                        alpha0 = bB.m_sweep.alpha0;
                        advanceSweep(bA.m_sweep, alpha0);
                    } else if (bB.m_sweep.alpha0 < bA.m_sweep.alpha0) {
                        alpha0 = bA.m_sweep.alpha0;
                        advanceSweep(bB.m_sweep, alpha0);
                    }
                    TOIInput input = toiInput;
                    input.proxyA.set(fA.getShape(), c.getChildIndexA());
                    input.proxyB.set(fB.getShape(), c.getChildIndexB());
                    copySweep(input.sweepA, bA.m_sweep);
                    copySweep(input.sweepB, bB.m_sweep);
                    input.tMax = 1.0f;
                    getPool().getTimeOfImpact().timeOfImpact(toiOutput, input);
                    float beta = toiOutput.t;
                    alpha = toiOutput.state == TOIOutputState.TOUCHING
                            ? MathUtils.min(alpha0 + (1.0f - alpha0) * beta, 1.0f) : 1.0f;
                    c.m_toi = alpha;
                    c.m_flags |= Contact.TOI_FLAG;
                }
                if (alpha < minAlpha) {
                    minContact = c;
                    minAlpha = alpha;
                }
            }

            if (minContact == null || 1.0f - 10.0f * Settings.EPSILON < minAlpha) {
                return; // no more TOI events
            }

            // Advance the bodies to the TOI.
            Body bA = minContact.getFixtureA().getBody();
            Body bB = minContact.getFixtureB().getBody();
            copySweep(backup1, bA.m_sweep);
            copySweep(backup2, bB.m_sweep);
            advanceBody(bA, minAlpha);
            advanceBody(bB, minAlpha);

            // The TOI contact likely has some new contact points.
            minContact.update(m_contactManager.m_contactListener);
            minContact.m_flags &= ~Contact.TOI_FLAG;
            ++minContact.m_toiCount;
            if (!minContact.isEnabled() || !minContact.isTouching()) {
                // Restore the sweeps.
                minContact.setEnabled(false);
                copySweep(bA.m_sweep, backup1);
                copySweep(bB.m_sweep, backup2);
                bA.synchronizeTransform();
                bB.synchronizeTransform();
                continue;
            }
            bA.setAwake(true);
            bB.setAwake(true);

            // Build the island: the two bodies and their contacts with static (or bullet) bodies.
            island.clear();
            island.add(bA);
            island.add(bB);
            island.add(minContact);
            bA.m_flags |= Body.e_islandFlag;
            bB.m_flags |= Body.e_islandFlag;
            minContact.m_flags |= Contact.ISLAND_FLAG;
            pair[0] = bA;
            pair[1] = bB;
            for (Body body : pair) {
                if (body.m_type != BodyType.DYNAMIC) {
                    continue;
                }
                for (ContactEdge ce = body.m_contactList; ce != null; ce = ce.next) {
                    if (island.m_bodyCount == island.m_bodyCapacity || island.m_contactCount == island.m_contactCapacity) {
                        break;
                    }
                    Contact contact = ce.contact;
                    if ((contact.m_flags & Contact.ISLAND_FLAG) != 0) {
                        continue;
                    }
                    Body other = ce.other;
                    if (other.m_type == BodyType.DYNAMIC && !body.isBullet() && !other.isBullet()) {
                        continue;
                    }
                    if (contact.m_fixtureA.m_isSensor || contact.m_fixtureB.m_isSensor) {
                        continue;
                    }
                    // Tentatively advance the other body to the TOI.
                    copySweep(backup, other.m_sweep);
                    if ((other.m_flags & Body.e_islandFlag) == 0) {
                        advanceBody(other, minAlpha);
                    }
                    contact.update(m_contactManager.m_contactListener);
                    if (!contact.isEnabled() || !contact.isTouching()) {
                        copySweep(other.m_sweep, backup);
                        other.synchronizeTransform();
                        continue;
                    }
                    contact.m_flags |= Contact.ISLAND_FLAG;
                    island.add(contact);
                    if ((other.m_flags & Body.e_islandFlag) != 0) {
                        continue;
                    }
                    other.m_flags |= Body.e_islandFlag;
                    if (other.m_type != BodyType.STATIC) {
                        other.setAwake(true);
                    }
                    island.add(other);
                }
            }

            subStep.dt = (1.0f - minAlpha) * dt;
            subStep.inv_dt = 1.0f / subStep.dt;
            subStep.dtRatio = 1.0f;
            subStep.positionIterations = 20;
            subStep.velocityIterations = velocityIterations;
            subStep.warmStarting = false;
            island.solveTOI(subStep, bA.m_islandIndex, bB.m_islandIndex);

            // Reset island flags and synchronize broad-phase proxies.
            for (int i = 0; i < island.m_bodyCount; ++i) {
                Body body = island.m_bodies[i];
                body.m_flags &= ~Body.e_islandFlag;
                if (body.m_type != BodyType.DYNAMIC) {
                    continue;
                }
                synchronizeFixtures(body);
                for (ContactEdge ce = body.m_contactList; ce != null; ce = ce.next) {
                    ce.contact.m_flags &= ~(Contact.TOI_FLAG | Contact.ISLAND_FLAG);
                }
            }
            // Commit fixture proxy movements to the broad-phase so that new contacts are created.
            m_contactManager.findNewContacts();
        }
    }

    /** Removes every body, joint and contact and restores the state of a newly constructed world. */
    void clear() {
        // No end-contact callbacks for the episode being thrown away.
        setContactListener(null);
        Body b = getBodyList();
        while (b != null) {
            Body next = b.getNext();
            destroyBody(b);
            b = next;
        }
        m_contactManager = new ContactManager(this, new DynamicTree());
        try {
            INV_DT0.setFloat(this, 0f);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        if (getBodyCount() != 0 || getJointCount() != 0 || getContactCount() != 0 || isLocked()) {
            throw new IllegalStateException("jbox2d world not empty after clear(): " + getBodyCount() + " bodies, "
                    + getJointCount() + " joints, " + getContactCount() + " contacts, locked " + isLocked());
        }
    }
}
