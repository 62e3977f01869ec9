package dev.gymrpc.envs.box2d;

import java.lang.reflect.Field;
import org.jbox2d.collision.broadphase.DynamicTree;
import org.jbox2d.common.Vec2;
import org.jbox2d.dynamics.Body;
import org.jbox2d.dynamics.ContactManager;
import org.jbox2d.dynamics.World;

/**
 * A jbox2d {@link World} that {@link #clear()} empties back to the state of a new one, so that an env can
 * keep one world for all its episodes instead of building one per reset.
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
final class ReusableWorld extends World {

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

    ReusableWorld(Vec2 gravity) {
        super(gravity);
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
