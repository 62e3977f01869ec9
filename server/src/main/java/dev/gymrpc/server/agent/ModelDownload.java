package dev.gymrpc.server.agent;

import com.google.protobuf.ByteString;
import dev.gymrpc.proto.v1.ModelChunk;
import dev.gymrpc.proto.v1.ModelInfo;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One GetModel stream: the model file in {@value #CHUNK}-byte chunks, the first carrying the ModelInfo,
 * sent only while the transport is ready (same flow control as {@link JobWatcher}); the file is closed
 * when the stream ends or the client cancels.
 */
final class ModelDownload {

    /** Bytes per chunk: well under gRPC's default 4 MiB message limit. */
    static final int CHUNK = 256 * 1024;

    private final ServerCallStreamObserver<ModelChunk> out;
    private final ModelInfo info;
    private final FileChannel file;
    private final long size;
    private final Executor executor;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private long offset;
    private boolean first = true;
    private volatile boolean done;

    ModelDownload(ServerCallStreamObserver<ModelChunk> out, ModelInfo info, Path path, Executor executor)
            throws IOException {
        this.out = out;
        this.info = info;
        this.file = FileChannel.open(path, StandardOpenOption.READ);
        this.size = file.size();
        this.executor = executor;
    }

    void start() {
        out.setOnCancelHandler(this::close);
        out.setOnReadyHandler(this::schedule);
        schedule();
    }

    private void schedule() {
        if (!done && scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                close(); // the service is closing; the server cancels the call
            }
        }
    }

    private synchronized void drain() {
        scheduled.set(false);
        try {
            while (!done && out.isReady()) {
                int n = (int) Math.min(CHUNK, size - offset);
                ByteBuffer buf = ByteBuffer.allocate(Math.max(n, 0));
                while (buf.hasRemaining()) {
                    if (file.read(buf, offset + buf.position()) < 0) {
                        throw new IOException("the model file shrank while being sent");
                    }
                }
                buf.flip();
                ModelChunk.Builder c = ModelChunk.newBuilder().setOffset(offset).setTotalBytes(size)
                        .setData(ByteString.copyFrom(buf));
                if (first) {
                    c.setInfo(info);
                    first = false;
                }
                out.onNext(c.build());
                offset += n;
                if (offset >= size) {
                    close();
                    out.onCompleted();
                    return;
                }
            }
        } catch (IOException e) {
            close();
            out.onError(AgentErrors.toStatus("GetModel", e));
        } catch (RuntimeException e) {
            close(); // cancelled while sending
        }
    }

    private void close() {
        done = true;
        try {
            file.close();
        } catch (IOException ignored) {
            // closing a read-only file cannot lose data
        }
    }
}
