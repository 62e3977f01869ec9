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

    public static void update(ParamBlock target, ParamBlock online, double tau) {
        if (target.size() != online.size()) {
            throw new IllegalArgumentException("target and online blocks differ in size");
        }
        var blas = Nd4j.getBlasWrapper().level1();
        blas.scal(target.size(), 1.0 - tau, target.params());
        blas.axpy(target.size(), tau, online.params(), target.params());
    }
}
