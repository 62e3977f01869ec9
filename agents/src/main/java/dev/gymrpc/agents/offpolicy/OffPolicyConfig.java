package dev.gymrpc.agents.offpolicy;

import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.nn.Mlp;

/**
 * What {@link SoftActorCritic} and {@link OffPolicyRunner} read from a SAC config: the fields Discrete SAC's
 * and continuous SAC's config records have in common (each record keeps its own fields, names and presets).
 */
public interface OffPolicyConfig extends AlgoConfig {

    Mlp.Init init();

    /** Polyak factor of the target critics. */
    double tau();

    double actorLr();

    double criticLr();

    double alphaLr();

    double initialAlpha();

    /** Whether log alpha is learned toward the target entropy. */
    boolean learnAlpha();

    int batchSize();

    /** Replay capacity in transitions. */
    int bufferSize();

    /** Uniformly random env steps before the first update. */
    int learningStarts();

    /** Env steps between update phases. */
    int trainFreq();

    /** Updates per phase. */
    int gradientSteps();
}
