package dev.gymrpc.server.agent;

import dev.gymrpc.envs.EnvRegistry;
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
import java.util.SplittableRandom;
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
            Policy policy = policy(info);
            String envId = request.getEnvId().isEmpty() ? info.getEnvId() : request.getEnvId();
            Map<String, Object> options = request.getEnvId().isEmpty() && request.getEnvOptionsCount() == 0
                    ? Values.fromValueMap(info.getSpec().getEnvOptionsMap())
                    : Values.fromValueMap(request.getEnvOptionsMap());
            boolean deterministic = !request.hasDeterministic() || request.getDeterministic();
            Context ctx = Context.current();
            return EvaluateResponse.newBuilder().setSummary(PolicyEvaluator.evaluate(policy, registry, envId, options,
                    request.getEpisodes(), request.getSeed(), deterministic, Specs.gamma(info.getSpec()),
                    ctx::isCancelled)).build();
        });
    }

    @Override
    public void act(ActRequest request, StreamObserver<ActResponse> observer) {
        AgentErrors.unary("Act", observer, () -> {
            ModelInfo info = model(request.getModelId());
            Policy policy = policy(info);
            float[][] batch = observations(request.getObservations(), policy);
            float[][] probs = policy.probabilities(batch);
            boolean deterministic = !request.hasDeterministic() || request.getDeterministic();
            SplittableRandom rng = new SplittableRandom(request.getSeed());
            int n = policy.actionSpace().n();
            long[] actions = new long[batch.length];
            float[] flat = new float[batch.length * n];
            for (int i = 0; i < batch.length; i++) {
                int a = deterministic ? PolicyEvaluator.argmax(probs[i]) : PolicyEvaluator.sample(probs[i], rng);
                actions[i] = policy.actionSpace().start() + a;
                System.arraycopy(probs[i], 0, flat, i * n, n);
            }
            return ActResponse.newBuilder().setActions(Tensors.ofLongs(actions, batch.length))
                    .setProbabilities(Tensors.ofFloats(flat, batch.length, n)).build();
        });
    }

    /** Splits an observation tensor ([batch, obs...] or one observation) into rows, checking sizes. */
    static float[][] observations(Tensor t, Policy policy) {
        String bad = Tensors.inconsistency(t);
        if (bad != null) {
            throw AgentErrors.invalidObservation("observations: " + bad);
        }
        int dim = policy.observationSpace().flatSize();
        float[] flat = Tensors.toFloats(t);
        long[] shape = Tensors.shape(t);
        int[] obsShape = policy.observationSpace().shape();
        int batch;
        if (shape.length == obsShape.length && flat.length == dim) {
            batch = 1;
        } else if (shape.length == obsShape.length + 1 && shape.length >= 1 && dim > 0 && flat.length % dim == 0
                && shape[0] == flat.length / dim) {
            batch = (int) shape[0];
        } else {
            throw AgentErrors.invalidObservation("observations of shape " + t.getShapeList()
                    + " do not fit the model's observation space " + policy.observationSpace()
                    + ": send [batch, " + dim + "] float32");
        }
        if (batch < 1 || batch > 65_536) {
            throw AgentErrors.invalidObservation("batch size must be in 1..65536, got " + batch);
        }
        float[][] rows = new float[batch][dim];
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < dim; j++) {
                float v = flat[i * dim + j];
                if (!Float.isFinite(v)) {
                    throw AgentErrors.invalidObservation("observation " + i + " element " + j + " is " + v);
                }
                rows[i][j] = v;
            }
        }
        return rows;
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
            new ModelDownload((ServerCallStreamObserver<ModelChunk>) observer, info,
                    store.modelFile(info.getModelId()), streams).start();
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
