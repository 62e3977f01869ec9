package dev.gymrpc.agents.nn;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Polyak averaging of target networks: {@code target <- (1 - tau) * target + tau * online}
 * (Lillicrap et al. 2016; SAC's target critics, paper Table 1 tau = 0.005).
 *
 * <p>Both networks keep all parameters in one flat vector, so the update is two BLAS level-1 calls over
 * the whole vector ({@code scal} then {@code axpy}) instead of one op per tensor.
 */
public final class Polyak {

    private Polyak() {
    }

    public static void update(Mlp target, Mlp online, double tau) {
        if (target.numParams() != online.numParams()) {
            throw new IllegalArgumentException("target and online networks differ in size");
        }
        var blas = Nd4j.getBlasWrapper().level1();
        blas.scal(target.numParams(), 1.0 - tau, target.params());
        blas.axpy(target.numParams(), tau, online.params(), target.params());
    }
}
