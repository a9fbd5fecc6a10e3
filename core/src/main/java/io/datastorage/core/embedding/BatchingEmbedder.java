package io.datastorage.core.embedding;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gathers the texts of concurrent callers into one call of its delegate (micro-batching), so that
 * a model pays its per-call cost once per batch instead of once per request, and runs one batch at
 * a time so that the model's own threads have the cores to themselves.
 *
 * <p>One dispatcher thread takes the oldest waiting request, then adds the requests waiting
 * behind it, up to {@code maxBatchSize} texts. It waits for more only while callers that are
 * inside {@link #embed} have not queued yet, and never longer than {@code maxWait} after the
 * first request: a lone caller is never delayed, and under load the batch fills while the
 * previous one runs. A request larger than {@code maxBatchSize} forms a batch of its own.
 *
 * <p>Written here rather than taken from a library: the libraries this project uses offer
 * bulkheads and rate limiters, none of which merge concurrent calls into one.
 *
 * <p>Failures of the delegate reach every caller of the batch as an {@link EmbeddingException}
 * with the delegate's {@linkplain EmbeddingException#isTransient() transient} flag.
 */
public final class BatchingEmbedder implements Embedder, AutoCloseable {
    private static final long IDLE_POLL_MILLIS = 100;

    private final Embedder delegate;
    private final int maxBatchSize;
    private final long maxWaitNanos;
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger callersInside = new AtomicInteger();
    private final Thread dispatcher;
    private volatile boolean closed;

    private record Request(List<String> texts, CompletableFuture<List<float[]>> answer) {
    }

    public BatchingEmbedder(Embedder delegate, int maxBatchSize, Duration maxWait) {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1, was " + maxBatchSize);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, was " + maxWait);
        }
        this.delegate = delegate;
        this.maxBatchSize = maxBatchSize;
        this.maxWaitNanos = maxWait.toNanos();
        this.dispatcher = Thread.ofPlatform().name("embedding-batcher").daemon().unstarted(this::dispatch);
        this.dispatcher.start();
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        if (texts.isEmpty()) {
            return List.of();
        }
        callersInside.incrementAndGet();
        try {
            Request request = new Request(List.copyOf(texts), new CompletableFuture<>());
            queue.add(request);
            if (closed) {
                failWaiting();
            }
            return request.answer().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddingException("interrupted while waiting for the embedding", true, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EmbeddingException failure) {
                throw new EmbeddingException(failure.getMessage(), failure.isTransient(), failure);
            }
            throw new EmbeddingException("embedding failed: " + e.getCause(), false, e.getCause());
        } finally {
            callersInside.decrementAndGet();
        }
    }

    private void dispatch() {
        Request carried = null;
        while (!closed) {
            List<Request> batch = new ArrayList<>();
            try {
                Request first = carried != null ? carried : queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                carried = null;
                if (first == null) {
                    continue; // idle: look at the closed flag again
                }
                batch.add(first);
                int size = first.texts().size();
                long deadline = System.nanoTime() + maxWaitNanos;
                while (size < maxBatchSize) {
                    Request next = queue.poll();
                    if (next == null) {
                        long remaining = deadline - System.nanoTime();
                        if (remaining <= 0 || batch.size() >= callersInside.get()) {
                            break;
                        }
                        next = queue.poll(Math.min(remaining, TimeUnit.MICROSECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
                        if (next == null) {
                            continue;
                        }
                    }
                    if (size + next.texts().size() > maxBatchSize) {
                        carried = next;
                        break;
                    }
                    batch.add(next);
                    size += next.texts().size();
                }
            } catch (InterruptedException e) {
                failAll(batch, closedException());
                break;
            }
            run(batch);
        }
        if (carried != null) {
            carried.answer().completeExceptionally(closedException());
        }
        failWaiting();
    }

    private void run(List<Request> batch) {
        List<String> texts = new ArrayList<>();
        for (Request request : batch) {
            texts.addAll(request.texts());
        }
        List<float[]> vectors;
        try {
            vectors = delegate.embed(texts);
            if (vectors.size() != texts.size()) {
                throw new EmbeddingException("the embedder returned " + vectors.size() + " vectors for "
                        + texts.size() + " texts", false, null);
            }
        } catch (RuntimeException | Error e) {
            batch.forEach(request -> request.answer().completeExceptionally(e));
            return;
        }
        int offset = 0;
        for (Request request : batch) {
            int size = request.texts().size();
            request.answer().complete(vectors.subList(offset, offset + size));
            offset += size;
        }
    }

    private static void failAll(List<Request> requests, EmbeddingException failure) {
        for (Request request : requests) {
            request.answer().completeExceptionally(failure);
        }
    }

    private void failWaiting() {
        List<Request> waiting = new ArrayList<>();
        queue.drainTo(waiting);
        failAll(waiting, closedException());
    }

    private static EmbeddingException closedException() {
        return new EmbeddingException("the embedder is shutting down", true, null);
    }

    /** Requests queued behind the batch being computed. */
    int waiting() {
        return queue.size();
    }

    @Override
    public int dimension() {
        return delegate.dimension();
    }

    @Override
    public String modelId() {
        return delegate.modelId();
    }

    /** Stops the dispatcher after the batch it is running; requests still waiting fail as transient. */
    @Override
    public void close() {
        closed = true; // the dispatcher notices within IDLE_POLL_MILLIS, or when its batch is done
        failWaiting();
        try {
            dispatcher.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failWaiting();
    }
}
