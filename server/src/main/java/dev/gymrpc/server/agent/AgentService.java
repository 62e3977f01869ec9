package dev.gymrpc.server.agent;

import dev.gymrpc.agents.EvalResult;
import dev.gymrpc.agents.Evaluator;
import dev.gymrpc.agents.Policy;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.proto.v1.ListAlgorithmsRequest;
import dev.gymrpc.proto.v1.ListAlgorithmsResponse;
import dev.gymrpc.proto.v1.ModelFormat;
import dev.gymrpc.server.errors.RequestException;
import dev.gymrpc.proto.v1.ActRequest;
import dev.gymrpc.proto.v1.ActResponse;
import dev.gymrpc.proto.v1.AgentServiceGrpc;
import dev.gymrpc.proto.v1.CancelJobRequest;
import dev.gymrpc.proto.v1.DeleteModelRequest;
import dev.gymrpc.proto.v1.DeleteModelResponse;
import dev.gymrpc.proto.v1.EvaluateRequest;
import dev.gymrpc.proto.v1.EvaluateResponse;
import dev.gymrpc.proto.v1.GetJobRequest;
import dev.gymrpc.proto.v1.GetModelRequest;
import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.JobEvent;
import dev.gymrpc.proto.v1.ListJobsRequest;
import dev.gymrpc.proto.v1.ListJobsResponse;
import dev.gymrpc.proto.v1.ListModelsRequest;
import dev.gymrpc.proto.v1.ListModelsResponse;
import dev.gymrpc.proto.v1.ModelChunk;
import dev.gymrpc.proto.v1.ModelInfo;
import dev.gymrpc.proto.v1.ResumeJobRequest;
import dev.gymrpc.proto.v1.RunBenchmarkRequest;
import dev.gymrpc.proto.v1.StartTrainingRequest;
import dev.gymrpc.proto.v1.Tensor;
import dev.gymrpc.proto.v1.WatchJobRequest;
import dev.gymrpc.proto.wire.Tensors;
import dev.gymrpc.proto.wire.Values;
import dev.gymrpc.server.jobs.JobManager;
import dev.gymrpc.server.jobs.ManagedJob;
import dev.gymrpc.server.store.Store;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gRPC AgentService: translates the wire to the {@link JobManager}, the {@link Store} and stored
 * {@link Policy}s and back, and nothing else (grpc-java route guide style). Every unary method runs
 * through {@link AgentErrors#unary}, every stream reports failures through {@link AgentErrors#toStatus},
 * so no exception reaches a client as UNKNOWN.
 */
public final class AgentService extends AgentServiceGrpc.AgentServiceImplBase implements AutoCloseable {

    /** How long CancelJob waits for a running job to reach its next step and stop. */
    static final long CANCEL_WAIT_MS = 5_000;
    private static final int POLICY_CACHE = 8;

    private final JobManager jobs;
    private final Store store;
    private final EnvRegistry registry;
    private final ExecutorService streams;
    private final Map<String, ModelInfo> modelInfos = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Policy> policies = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Policy> eldest) {
            return size() > POLICY_CACHE;
        }
    };

    public AgentService(JobManager jobs, EnvRegistry registry) {
        this.jobs = jobs;
        this.store = jobs.store();
        this.registry = registry;
        AtomicInteger n = new AtomicInteger();
        this.streams = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "gymrpc-agent-stream-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public JobManager jobs() {
        return jobs;
    }

    @Override
    public void startTraining(StartTrainingRequest request, StreamObserver<Job> observer) {
        AgentErrors.unary("StartTraining", observer, () -> jobs.startTraining(request));
    }

    @Override
    public void runBenchmark(RunBenchmarkRequest request, StreamObserver<Job> observer) {
        AgentErrors.unary("RunBenchmark", observer, () -> jobs.startBenchmark(request));
    }

    @Override
    public void watchJob(WatchJobRequest request, StreamObserver<JobEvent> observer) {
        try {
            if (request.getFromOffset() < 0) {
                throw new ConfigException("from_offset", "must be >= 0, got " + request.getFromOffset());
            }
            ManagedJob job = jobs.job(request.getJobId());
            new JobWatcher((ServerCallStreamObserver<JobEvent>) observer, job.log(), request.getFromOffset(),
                    request.getProgressOnly(), streams).start();
        } catch (RuntimeException e) {
            observer.onError(AgentErrors.toStatus("WatchJob", e));
        }
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<Job> observer) {
        AgentErrors.unary("GetJob", observer, () -> jobs.get(request.getJobId()));
    }

    @Override
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> observer) {
        AgentErrors.unary("ListJobs", observer, () -> {
            if (request.getLimit() < 0) {
                throw new ConfigException("limit", "must be >= 0 (0 = all), got " + request.getLimit());
            }
            return ListJobsResponse.newBuilder().addAllJobs(jobs.list(request.getState(), request.getLimit())).build();
        });
    }

    @Override
    public void cancelJob(CancelJobRequest request, StreamObserver<Job> observer) {
        AgentErrors.unary("CancelJob", observer, () -> jobs.cancel(request.getJobId(), CANCEL_WAIT_MS));
    }

    @Override
    public void resumeJob(ResumeJobRequest request, StreamObserver<Job> observer) {
        AgentErrors.unary("ResumeJob", observer, () -> jobs.resume(request.getJobId()));
    }

    @Override
    public void evaluate(EvaluateRequest request, StreamObserver<EvaluateResponse> observer) {
        AgentErrors.unary("Evaluate", observer, () -> {
            ModelInfo info = model(request.getModelId());
            Policy policy = policy(info).copy();
            String envId = request.getEnvId().isEmpty() ? info.getEnvId() : request.getEnvId();
            Map<String, Object> options = request.getEnvId().isEmpty() && request.getEnvOptionsCount() == 0
                    ? Values.fromValueMap(info.getSpec().getEnvOptionsMap())
                    : Values.fromValueMap(request.getEnvOptionsMap());
            boolean deterministic = !request.hasDeterministic() || request.getDeterministic();
            Context ctx = Context.current();
            if (request.getEpisodes() < 1 || request.getEpisodes() > Evaluator.MAX_EPISODES) {
                throw new ConfigException("episodes", "must be in 1.." + Evaluator.MAX_EPISODES + ", got " + request.getEpisodes());
            }
            double threshold = registry.spec(envId).rewardThreshold();
            EvalResult r;
            try {
                r = Evaluator.evaluate(policy, registry, envId, options, request.getEpisodes(), request.getSeed(),
                        deterministic, ctx::isCancelled);
            } catch (IllegalArgumentException e) {
                if (e instanceof dev.gymrpc.agents.config.InvalidConfigException) {
                    throw e;
                }
                throw new ConfigException("env_id", e.getMessage());
            }
            return EvaluateResponse.newBuilder().setSummary(AgentsModuleBackend.summary(r, threshold)).build();
        });
    }

    @Override
    public void act(ActRequest request, StreamObserver<ActResponse> observer) {
        AgentErrors.unary("Act", observer, () -> {
            ModelInfo info = model(request.getModelId());
            Policy policy = policy(info);
            int dim = policy.observationSize();
            int batch = batchOf(request.getObservations(), dim);
            float[] flat = Tensors.toFloats(request.getObservations());
            for (int k = 0; k < flat.length; k++) {
                if (!Float.isFinite(flat[k])) {
                    throw AgentErrors.invalidObservation("observation " + (k / dim) + " element " + (k % dim) + " is " + flat[k]);
                }
            }
            boolean deterministic = !request.hasDeterministic() || request.getDeterministic();
            Policy.Actions a;
            synchronized (policy) { // scratch buffers and the sampling generator
                policy.reseed(request.getSeed());
                a = policy.act(flat, batch, deterministic);
            }
            ActResponse.Builder out = ActResponse.newBuilder();
            if (a.discrete() != null) {
                long[] actions = new long[batch];
                for (int i = 0; i < batch; i++) {
                    actions[i] = a.discrete()[i];
                }
                out.setActions(Tensors.ofLongs(actions, batch)).setProbabilities(Tensors.ofFloats(a.probabilities(), batch, a.n()));
            } else {
                out.setActions(Tensors.ofFloats(a.continuous(), batch, a.n()));
            }
            return out.build();
        });
    }

    /** The batch size of an observation tensor ([batch, obs...] or one observation), checking sizes. */
    static int batchOf(Tensor t, int dim) {
        String bad = Tensors.inconsistency(t);
        if (bad != null) {
            throw AgentErrors.invalidObservation("observations: " + bad);
        }
        long[] shape = Tensors.shape(t);
        long total = 1;
        for (long d : shape) {
            total *= d;
        }
        int batch;
        if (total == dim && (shape.length <= 1 || shape[0] != 1 || dim == 1)) {
            batch = 1;
        } else if (shape.length >= 2 && dim > 0 && total == shape[0] * (long) dim) {
            batch = (int) Math.min(Integer.MAX_VALUE, shape[0]);
        } else {
            throw AgentErrors.invalidObservation("observations of shape " + t.getShapeList()
                    + " do not fit the model's observations of " + dim + " floats: send [batch, " + dim + "] float32");
        }
        if (batch < 1 || batch > 65_536) {
            throw AgentErrors.invalidObservation("batch size must be in 1..65536, got " + batch);
        }
        return batch;
    }

    @Override
    public void listAlgorithms(ListAlgorithmsRequest request, StreamObserver<ListAlgorithmsResponse> observer) {
        AgentErrors.unary("ListAlgorithms", observer, AlgorithmCatalog::list);
    }

    @Override
    public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> observer) {
        AgentErrors.unary("ListModels", observer, () -> {
            try {
                return ListModelsResponse.newBuilder().addAllModels(store.listModels().stream()
                        .filter(m -> request.getEnvId().isEmpty() || m.getEnvId().equals(request.getEnvId()))
                        .toList()).build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public void getModel(GetModelRequest request, StreamObserver<ModelChunk> observer) {
        try {
            ModelInfo info = model(request.getModelId());
            java.nio.file.Path file = store.modelFile(info.getModelId());
            if (request.getFormat() == ModelFormat.MODEL_FORMAT_DL4J) {
                java.nio.file.Path tmp = java.nio.file.Files.createTempFile("gymrpc-export-", ".zip");
                ModelDownload download;
                try {
                    try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(tmp)) {
                        jobs.backend().export(file, request.getFormat(), out);
                    } catch (UnsupportedOperationException e) {
                        throw new RequestException(io.grpc.Status.Code.UNIMPLEMENTED, "UNSUPPORTED_FORMAT", e.getMessage(), Map.of());
                    }
                    ModelInfo exported = info.toBuilder().setSizeBytes(java.nio.file.Files.size(tmp))
                            .setSha256(Store.sha256(tmp)).build();
                    download = new ModelDownload((ServerCallStreamObserver<ModelChunk>) observer, exported, tmp, streams);
                } finally {
                    java.nio.file.Files.deleteIfExists(tmp); // the download holds the file open
                }
                download.start();
                return;
            }
            new ModelDownload((ServerCallStreamObserver<ModelChunk>) observer, info, file, streams).start();
        } catch (IOException | RuntimeException e) {
            observer.onError(AgentErrors.toStatus("GetModel", e));
        }
    }

    @Override
    public void deleteModel(DeleteModelRequest request, StreamObserver<DeleteModelResponse> observer) {
        AgentErrors.unary("DeleteModel", observer, () -> {
            try {
                if (!store.deleteModel(request.getModelId())) {
                    throw AgentErrors.unknownModel(request.getModelId());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            modelInfos.remove(request.getModelId());
            synchronized (policies) {
                policies.keySet().removeIf(k -> k.startsWith(request.getModelId() + "@"));
            }
            return DeleteModelResponse.getDefaultInstance();
        });
    }

    /**
     * A stored model's info. Stored models never change, so infos are cached (Act is called per step by
     * remote agents; parsing model.json each time cost milliseconds); DeleteModel evicts.
     */
    private ModelInfo model(String modelId) {
        ModelInfo cached = modelInfos.get(modelId);
        if (cached != null) {
            return cached;
        }
        ModelInfo info = store.model(modelId).orElseThrow(() -> AgentErrors.unknownModel(modelId));
        modelInfos.put(modelId, info);
        return info;
    }

    /** The loaded policy of a model, from a small LRU cache (loading a DL4J network takes milliseconds). */
    private Policy policy(ModelInfo info) {
        String key = info.getModelId() + "@" + info.getSha256();
        synchronized (policies) {
            Policy p = policies.get(key);
            if (p != null) {
                return p;
            }
        }
        Policy p;
        try {
            p = jobs.backend().loadPolicy(store.modelFile(info.getModelId()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load model " + info.getModelId() + ": " + e.getMessage(), e);
        }
        synchronized (policies) {
            policies.put(key, p);
        }
        return p;
    }

    /**
     * Stops the service: the job manager (running jobs become INTERRUPTED, resumable), then the stream
     * executor once the pending sends (e.g. those INTERRUPTED events) went out. The service owns the job
     * manager it was given. Idempotent.
     */
    @Override
    public void close() {
        jobs.close();
        streams.shutdown();
        try {
            if (!streams.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS)) {
                streams.shutdownNow();
            }
        } catch (InterruptedException e) {
            streams.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
