package dev.gymrpc.server.agent;

import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.server.jobs.JobManager;
import dev.gymrpc.server.jobs.JobsConfig;
import dev.gymrpc.server.store.Store;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The agent service with everything it owns: the store, the job manager and the gRPC service object.
 * {@link #close()} (the same as closing the service, which {@code GymRpcServer.stop} does before it drains
 * calls) interrupts running jobs (they become INTERRUPTED, resumable) so open WatchJob streams see the
 * final events and end.
 */
public final class AgentRuntime implements AutoCloseable {

    private final Store store;
    private final JobManager jobs;
    private final AgentService service;

    public AgentRuntime(Path storeDir, JobsConfig config, AgentBackend backend, EnvRegistry registry)
            throws IOException {
        this.store = Store.open(storeDir);
        this.jobs = new JobManager(store, backend, config);
        this.service = new AgentService(jobs, registry);
    }

    public Store store() {
        return store;
    }

    public JobManager jobs() {
        return jobs;
    }

    public AgentService service() {
        return service;
    }

    @Override
    public void close() {
        service.close();
    }
}
