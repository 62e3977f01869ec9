package dev.gymrpc.envs;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Base class that enforces the {@link Env} contract so each env only writes its dynamics:
 * the seeding rules, reset-before-step and step-after-end errors, strict action validation and an
 * idempotent close.
 *
 * <p>Seeding: {@code reset(seed)} replaces the generator with {@link #newGenerator(long)};
 * {@code reset(null)} keeps drawing from the current one (the first unseeded reset seeds from system
 * entropy), as Gymnasium's {@code np_random} does.
 */
public abstract class AbstractEnv<A> implements Env<A> {

    private final EnvSpec spec;
    private final Box observationSpace;
    private final Space<A> actionSpace;
    private RandomGenerator rng;
    private boolean needsReset = true;
    private boolean closed;

    protected AbstractEnv(EnvSpec spec, Box observationSpace, Space<A> actionSpace) {
        this.spec = spec;
        this.observationSpace = observationSpace;
        this.actionSpace = actionSpace;
    }

    @Override
    public final EnvSpec spec() {
        return spec;
    }

    @Override
    public final Box observationSpace() {
        return observationSpace;
    }

    @Override
    public final Space<A> actionSpace() {
        return actionSpace;
    }

    @Override
    public final Reset reset(Long seed, Map<String, ?> options) {
        ensureOpen();
        if (seed != null) {
            rng = newGenerator(seed);
        } else if (rng == null) {
            rng = newGenerator(ThreadLocalRandom.current().nextLong());
        }
        Reset r = doReset(options == null ? Map.of() : options);
        needsReset = false;
        return r;
    }

    @Override
    public final Step step(A action) {
        ensureOpen();
        if (needsReset) {
            throw new ResetNeededException(rng == null
                    ? spec.id() + ": step() called before reset(); call reset() first"
                    : spec.id() + ": the episode has ended (terminated or truncated); call reset() before step()");
        }
        validateAction(action);
        Step s = doStep(action);
        if (s.terminated() || s.truncated()) {
            needsReset = true;
        }
        return s;
    }

    @Override
    public final RgbImage render() {
        ensureOpen();
        if (rng == null) {
            throw new ResetNeededException(spec.id() + ": render() called before reset(); call reset() first");
        }
        return doRender();
    }

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            doClose();
        }
    }

    /** Whether {@link #close()} has been called. */
    public final boolean isClosed() {
        return closed;
    }

    /** The env's own generator; valid from the first reset on. */
    protected final RandomGenerator rng() {
        return rng;
    }

    /** The generator a seeded reset installs. Override to inject draws in tests. */
    protected RandomGenerator newGenerator(long seed) {
        return new SplittableRandom(seed);
    }

    /**
     * Rejects actions outside the action space with a message naming the problem. Envs whose original
     * clips actions still reject NaN, wrong shapes and out-of-range values here: the space is the contract.
     */
    protected void validateAction(A action) {
        if (action == null) {
            throw new InvalidActionException(spec.id() + ": action is null; expected an element of " + actionSpace);
        }
        if (actionSpace instanceof Box box) {
            String why = box.violation((float[]) action);
            if (why != null) {
                throw new InvalidActionException(spec.id() + ": action is not in " + box + ": " + why);
            }
        } else if (!actionSpace.contains(action)) {
            throw new InvalidActionException(spec.id() + ": action " + action + " is not in " + actionSpace);
        }
    }

    /** Rejects any per-episode option; envs that accept some override {@link #doReset}. */
    protected final void rejectResetOptions(Map<String, ?> options) {
        if (!options.isEmpty()) {
            String name = options.keySet().iterator().next();
            throw new InvalidOptionException(name, spec.id() + " accepts no reset options");
        }
    }

    protected abstract Reset doReset(Map<String, ?> options);

    protected abstract Step doStep(A action);

    protected abstract RgbImage doRender();

    protected void doClose() {
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(spec.id() + ": the env is closed; make a new one");
        }
    }

    @Override
    public String toString() {
        return spec.id();
    }
}
