package io.datastorage.core.embedding;

import io.datastorage.core.error.PermanentException;
import io.datastorage.core.error.TransientException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gathers the texts of concurrent callers into one call of its delegate (micro-batching), so that
 * a model pays its per-call cost once per batch instead of once per request, and runs at most
 * {@code workers} batches at a time, so that the model's threads are not oversubscribed however
 * many requests arrive. On a CPU the best setting is usually one worker per core with a model
 * that uses one thread per call: batches then run side by side without synchronising inside
 * each other (see the embedding benchmark in {@code bench/}).
 *
 * <p>Each worker thread takes the oldest waiting request, then adds the requests waiting behind
 * it, up to {@code maxBatchSize} texts and up to its share of the queue (the queue divided by the
 * number of workers, so that no worker idles while another computes what could have been
 * split). While another worker is computing (the model is under
 * load), it waits up to {@code maxWait} after the first request for more to join; when no worker
 * is busy it does not wait, so a lone caller is never delayed. A request larger than
 * {@code maxBatchSize} forms a batch of its own.
 *
 * <p>Written here rather than taken from a library: the libraries this project uses offer
 * bulkheads and rate limiters, none of which merge concurrent calls into one.
 *
 * <p>Failures of the delegate reach every caller of the batch in the delegate's branch: an
 * {@link EmbedderUnavailableException} for a transient one, an {@link EmbeddingException} for any
 * other.
 *
 * <p>Time limits ({@link #embed(List, Duration)}): each caller waits at most its own limit and
 * then fails as transient; a request whose caller stopped waiting (limit passed, interrupted) is
 * taken out of the queue, or skipped by the worker that finds it, and never reaches the model. A
 * batch gives the model the longest time any of its callers has left, so that the caller with
 * the most patience can still be served; those with less have stopped waiting by then.
 */
public final class BatchingEmbedder extends ForwardingEmbedder implements AutoCloseable {
    private static final long IDLE_POLL_MILLIS = 100;

    private final int maxBatchSize;
    private final long maxWaitNanos;
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger busyWorkers = new AtomicInteger();
    private final int workerCount;
    private final List<Thread> workers;
    private volatile boolean closed;

    /** @param end when the caller stops waiting, on the {@link System#nanoTime()} scale */
    private record Request(List<String> texts, CompletableFuture<List<float[]>> answer, long end) {
        /** Whether no batch should carry it any more: answered, given up, or out of time. */
        boolean abandoned() {
            if (answer.isDone()) {
                return true;
            }
            if (TimeLimit.endsWithin(end, 0)) {
                answer.completeExceptionally(TimeLimit.exceeded(Duration.ZERO, "the batching embedder"));
                return true;
            }
            return false;
        }
    }

    public BatchingEmbedder(Embedder delegate, int maxBatchSize, Duration maxWait, int workers) {
        super(delegate);
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, was " + workers);
        }
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1, was " + maxBatchSize);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, was " + maxWait);
        }
        this.maxBatchSize = maxBatchSize;
        this.maxWaitNanos = maxWait.toNanos();
        this.workerCount = workers;
        List<Thread> threads = new ArrayList<>(workers);
        for (int i = 0; i < workers; i++) {
            threads.add(Thread.ofPlatform().name("embedding-batcher-" + i).daemon().start(this::dispatch));
        }
        this.workers = List.copyOf(threads);
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        return embed(texts, NO_TIME_LIMIT);
    }

    @Override
    public List<float[]> embed(List<String> texts, Duration timeLimit) {
        if (texts.isEmpty()) {
            return List.of();
        }
        TimeLimit.requireTimeLeft(timeLimit, delegate.modelId());
        Request request = new Request(List.copyOf(texts), new CompletableFuture<>(), TimeLimit.endOf(timeLimit));
        queue.add(request);
        try {
            if (closed) {
                failWaiting();
            }
            try {
                return request.answer().get(Math.max(0, TimeLimit.nanos(TimeLimit.leftUntil(request.end()))),
                        TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                queue.remove(request); // no batch takes it now; one that already has it skips or ignores it
                request.answer().completeExceptionally(TimeLimit.exceeded(timeLimit, delegate.modelId()));
                return request.answer().get(); // the vectors, should they have come in between
            }
        } catch (InterruptedException e) {
            queue.remove(request);
            request.answer().cancel(false);
            Thread.currentThread().interrupt();
            throw new EmbedderUnavailableException("interrupted while waiting for the embedding", e);
        } catch (ExecutionException e) {
            // Thrown anew, so that the caller's stack shows, in the branch the delegate's failure is in.
            throw switch (e.getCause()) {
                case TransientException failure -> new EmbedderUnavailableException(failure.getMessage(), failure);
                case PermanentException failure -> new EmbeddingException(failure.getMessage(), failure);
                case Throwable other -> new EmbeddingException("embedding failed: " + other, other);
            };
        }
    }

    private void dispatch() {
        Request carried = null;
        while (!closed) {
            List<Request> batch = new ArrayList<>();
            try {
                Request first = carried != null ? carried : queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                carried = null;
                if (first == null || first.abandoned()) {
                    continue; // idle or nothing to do: look at the closed flag again
                }
                batch.add(first);
                int size = first.texts().size();
                // Leave the others their share of what is queued, so that no worker idles while
                // another runs a batch that could have been split.
                int share = (queue.size() + workerCount) / workerCount; // ceil((queued + 1) / workers)
                long deadline = System.nanoTime() + maxWaitNanos;
                while (size < maxBatchSize && batch.size() < share) {
                    Request next = queue.poll();
                    if (next == null) {
                        long remaining = deadline - System.nanoTime();
                        if (remaining <= 0 || busyWorkers.get() == 0) {
                            break;
                        }
                        next = queue.poll(Math.min(remaining, TimeUnit.MICROSECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
                        if (next == null) {
                            continue;
                        }
                    }
                    if (next.abandoned()) {
                        continue;
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
            busyWorkers.incrementAndGet();
            try {
                run(batch);
            } finally {
                busyWorkers.decrementAndGet();
            }
        }
        if (carried != null) {
            carried.answer().completeExceptionally(closedException());
        }
        failWaiting();
    }

    private void run(List<Request> gathered) {
        List<Request> batch = new ArrayList<>(gathered.size());
        List<String> texts = new ArrayList<>();
        long end = Long.MIN_VALUE;
        for (Request request : gathered) {
            if (!request.abandoned()) { // gathering took time; some callers may have stopped waiting
                batch.add(request);
                texts.addAll(request.texts());
                end = batch.size() == 1 || request.end() - end > 0 ? request.end() : end; // nanoTime order
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        List<float[]> vectors;
        try {
            vectors = embedByDelegate(texts, TimeLimit.leftUntil(end));
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

    private static void failAll(List<Request> requests, RuntimeException failure) {
        for (Request request : requests) {
            request.answer().completeExceptionally(failure);
        }
    }

    private void failWaiting() {
        List<Request> waiting = new ArrayList<>();
        queue.drainTo(waiting);
        failAll(waiting, closedException());
    }

    private static EmbedderUnavailableException closedException() {
        return new EmbedderUnavailableException("the embedder is shutting down", null);
    }

    /** Requests queued behind the batch being computed. */
    int waiting() {
        return queue.size();
    }



    /** Stops the workers after the batches they are running; requests still waiting fail as transient. */
    @Override
    public void close() {
        closed = true; // the workers notice within IDLE_POLL_MILLIS, or when their batch is done
        failWaiting();
        try {
            for (Thread worker : workers) {
                worker.join(TimeUnit.SECONDS.toMillis(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failWaiting();
    }
}
