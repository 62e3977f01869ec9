package dev.gymrpc.server.cli;

import dev.gymrpc.proto.v1.GetJobRequest;
import dev.gymrpc.proto.v1.GetModelRequest;
import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.ModelChunk;
import dev.gymrpc.proto.v1.ModelFormat;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gymrpc export}: downloads a stored model (GetModel), as the gymrpc model zip or as a DL4J
 * MultiLayerNetwork zip that a JVM application runs with plain deeplearning4j.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a stored model to a file: the gymrpc model zip (default) or a DL4J MultiLayerNetwork zip"
                + " (ModelSerializer; load with ModelSerializer.restoreMultiLayerNetwork; its output is the action"
                + " probabilities for discrete actions, the greedy action for continuous ones).",
                "Examples:",
                "  gymrpc export model-5f3a9c21 --format dl4j -o policy-dl4j.zip",
                "  gymrpc export job-5f3a9c21 -o model.zip --server localhost:50051"})
final class ExportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "Model id (or the id of the job that trained it).")
    String model;

    @Option(names = "--format", defaultValue = "gymrpc", paramLabel = "gymrpc|dl4j",
            description = "File format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "File to write.")
    Path output;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
        return CliErrors.run(() -> {
            ModelFormat f = switch (format.toLowerCase(Locale.ROOT)) {
                case "gymrpc" -> ModelFormat.MODEL_FORMAT_GYMRPC;
                case "dl4j" -> ModelFormat.MODEL_FORMAT_DL4J;
                default -> throw new IllegalArgumentException("--format must be gymrpc or dl4j, got " + format);
            };
            try (AgentConnection conn = connection.open(1)) {
                String modelId = model;
                if (model.startsWith("job-")) {
                    Job j = conn.blocking().getJob(GetJobRequest.newBuilder().setJobId(model).build());
                    if (j.getModelId().isEmpty()) {
                        throw new IllegalArgumentException("job " + model + " has no model (state "
                                + j.getState().name().replace("JOB_STATE_", "") + ")");
                    }
                    modelId = j.getModelId();
                }
                Path tmp = output.resolveSibling(output.getFileName() + ".part");
                long total = 0;
                String sha = "";
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    Iterator<ModelChunk> it = conn.blocking().getModel(
                            GetModelRequest.newBuilder().setModelId(modelId).setFormat(f).build());
                    while (it.hasNext()) {
                        ModelChunk c = it.next();
                        if (c.hasInfo()) {
                            sha = c.getInfo().getSha256();
                        }
                        c.getData().writeTo(out);
                        total += c.getData().size();
                    }
                }
                Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                System.out.printf("%s: %d bytes (%s, sha256 %s)%n", output, total, format.toLowerCase(Locale.ROOT), sha);
                return 0;
            }
        });
    }
}
