package io.datastorage.store.postgres;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Brings the embedded PostgreSQL back when it dies while the service runs (an OOM kill, a crash, a
 * {@code kill -9} of its process tree), so that no human has to restart the service.
 *
 * <p>Every {@code interval} it checks that the server accepts connections. When it does not, on
 * two checks in a row (a lone refused connection may be a full backlog), the server is down: the
 * watchdog tells its {@link Listener}, then {@linkplain EmbeddedPostgresServer#restart() restarts}
 * it on the same data directory, where crash recovery replays the WAL. A failed attempt is
 * retried after a pause that doubles from {@code interval} up to 30 s. After {@code maxAttempts}
 * failures in a row it {@linkplain Listener#gaveUp gives up} — the process should then be
 * restarted by its orchestrator — but keeps trying at the longest pause, and reports a late
 * success as well.
 *
 * <p>One daemon thread; {@link #close()} stops it before the server is stopped on purpose.
 */
public final class PostgresWatchdog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PostgresWatchdog.class);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(30);

    /** What the watchdog saw; called on its thread. Every method has a do-nothing default. */
    public interface Listener {
        /** The server stopped accepting connections. */
        default void down() {
        }

        /** The server accepts connections again after {@code attempts} restart attempts. */
        default void restarted(int attempts, Duration downtime) {
        }

        /** A restart attempt failed; another follows. */
        default void restartFailed(int attempt, RuntimeException failure) {
        }

        /** {@code attempts} restarts failed in a row; the watchdog keeps trying, slowly. */
        default void gaveUp(int attempts) {
        }
    }

    private final EmbeddedPostgresServer server;
    private final Duration interval;
    private final int maxAttempts;
    private final Listener listener;
    private final Thread thread;
    private volatile boolean closed;

    private PostgresWatchdog(EmbeddedPostgresServer server, Duration interval, int maxAttempts, Listener listener) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, was " + interval);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        this.server = server;
        this.interval = interval;
        this.maxAttempts = maxAttempts;
        this.listener = listener;
        this.thread = Thread.ofPlatform().name("postgres-watchdog").daemon().unstarted(this::watch);
    }

    /** Starts watching {@code server}. */
    public static PostgresWatchdog start(EmbeddedPostgresServer server, Duration interval, int maxAttempts,
                                         Listener listener) {
        PostgresWatchdog watchdog = new PostgresWatchdog(server, interval, maxAttempts, listener);
        watchdog.thread.start();
        return watchdog;
    }

    private void watch() {
        try {
            while (!closed) {
                pause(interval);
                if (!closed && !server.isRunning()) {
                    pause(Duration.ofMillis(200));
                    if (!closed && !server.isRunning()) {
                        recover();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void recover() throws InterruptedException {
        long downSince = System.nanoTime();
        log.error("The embedded PostgreSQL on port {} stopped accepting connections; restarting it on {}",
                server.port(), server.dataDirectory());
        notify(listener::down);
        Duration pause = interval;
        for (int attempt = 1; !closed; attempt++) {
            try {
                server.restart();
                if (server.isRunning()) {
                    Duration downtime = Duration.ofNanos(System.nanoTime() - downSince);
                    log.info("The embedded PostgreSQL is back after {} ms ({} restart attempt(s)); crash recovery replayed its WAL",
                            downtime.toMillis(), attempt);
                    int attempts = attempt;
                    notify(() -> listener.restarted(attempts, downtime));
                    return;
                }
                throw new IllegalStateException("the restarted server does not accept connections");
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                log.error("Restart attempt {} of the embedded PostgreSQL failed: {}", attempt, e.getMessage());
                int failed = attempt;
                notify(() -> listener.restartFailed(failed, e));
                if (attempt == maxAttempts) {
                    log.error("The embedded PostgreSQL could not be restarted in {} attempts; the service reports "
                            + "itself not alive, and keeps trying every {} s", maxAttempts, MAX_PAUSE.toSeconds());
                    notify(() -> listener.gaveUp(maxAttempts));
                }
            }
            pause(pause);
            pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
        }
    }

    /** A listener that throws must not stop the watchdog. */
    private static void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("A PostgreSQL watchdog listener failed", e);
        }
    }

    private void pause(Duration duration) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    }

    /** Stops watching (the thread ends after its current check or restart attempt). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(70));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
