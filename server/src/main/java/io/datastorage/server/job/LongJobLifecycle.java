package io.datastorage.server.job;

import org.slf4j.Logger;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The shutdown of a service that runs a long admin job (reconciliation, backfill, sync validation)
 * on a thread of its own while requests wait for its answer: {@link #stop()} (the job told to end at
 * its next step) runs before the web server's graceful shutdown waits for those requests, so they are
 * answered at once; {@link #awaitEnd} then waits for the thread at bean destruction, never
 * interrupting it (an interrupt inside Lucene's or a store's file I/O closes the channel midway).
 */
public abstract class LongJobLifecycle implements SmartLifecycle {
    /** How long {@link #awaitEnd} waits for a run to end. */
    public static final long AWAIT_SECONDS = 30;

    private volatile boolean started;

    /** Above the web server's graceful shutdown, so this stops first (a higher phase stops earlier). */
    @Override
    public final int getPhase() {
        return WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 1;
    }

    /** Marks the service started; runs need nothing more. */
    @Override
    public final void start() {
        started = true;
    }

    /**
     * At shutdown, before the web server's graceful shutdown waits for the requests under way:
     * {@link #stopRun()}, so the requests waiting for a run are answered at once (503 with
     * Retry-After) instead of holding the graceful shutdown for its whole timeout. The run's thread
     * is never interrupted; {@link #awaitEnd} still waits for it at bean destruction.
     */
    @Override
    public final void stop() {
        started = false;
        stopRun();
    }

    @Override
    public final boolean isRunning() {
        return started;
    }

    /** Makes a run under way end at its next step (slice, page, window); returns at once. */
    protected abstract void stopRun();

    /**
     * Shuts {@code runner} down and waits up to {@link #AWAIT_SECONDS} for the run on it to end.
     *
     * @param ending what is logged when it does not end in time ("a backfill is still running …")
     */
    protected static void awaitEnd(ExecutorService runner, Logger log, String ending) {
        runner.shutdown();
        try {
            if (!runner.awaitTermination(AWAIT_SECONDS, TimeUnit.SECONDS)) {
                log.warn("{} after {} s; shutting down without it", ending, AWAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
