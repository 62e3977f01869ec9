package dev.gymrpc.server.agent;

import dev.gymrpc.proto.v1.TrainingSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The narrow seam between the agent service's job, store and watch machinery and the learning code.
 * The server and the CLI use {@link AgentsModuleBackend} (every {@link dev.gymrpc.agents.Algorithm} of
 * the agents module); tests of the machinery may substitute their own. Keeping the seam this small lets
 * the service translate the wire and manage jobs without knowing ND4J or the algorithms' internals.
 *
 * <p>Implementations are thread-safe: several jobs train at once on different worker threads, and
 * {@link #loadPolicy} / evaluation run on request threads.
 */
public interface AgentBackend {

    /**
     * Fills every unset config field of {@code spec} from its preset and validates the result. The
     * returned spec has the {@code config} oneof, every augmentation and evaluation field, the checkpoint
     * interval and the divergence threshold set explicitly, so it documents the run completely.
     *
     * @throws ConfigException          a value out of range or a missing field (names the field)
     * @throws dev.gymrpc.envs.UnknownEnvException   unknown env id
     * @throws dev.gymrpc.envs.InvalidOptionException bad env option
     */
    TrainingSpec resolve(TrainingSpec spec);

    /**
     * Trains (or, when {@link TrainingRun#resumeFrom()} is present, continues) one run of a resolved
     * spec, reporting episodes, updates, evaluations and checkpoints through {@code run}. Returns when
     * the budget is used up or as soon as {@link TrainingRun#stopRequested()} turns true (then with
     * {@link TrainingOutcome#stopped()} set).
     *
     * @throws dev.gymrpc.agents.TrainingDivergedException the run produced non-finite values or exploding gradients
     * @throws Exception                  any other failure; the job fails with its message
     */
    TrainingOutcome train(TrainingSpec spec, TrainingRun run) throws Exception;

    /** Loads a stored model file for acting and evaluation. */
    dev.gymrpc.agents.Policy loadPolicy(Path modelFile) throws IOException;

    /**
     * Writes a stored model in another format (e.g. a DL4J MultiLayerNetwork zip).
     *
     * @throws UnsupportedOperationException the backend cannot write that format
     */
    void export(Path modelFile, dev.gymrpc.proto.v1.ModelFormat format, java.io.OutputStream out) throws IOException;

    /** Versions of the software a model is trained with, for provenance ("gymrpc", "java", "dl4j", ...). */
    Map<String, String> versions();
}
