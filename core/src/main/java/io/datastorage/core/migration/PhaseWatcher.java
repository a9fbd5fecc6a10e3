package io.datastorage.core.migration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One replica's view of the migration phase: the current {@link PhaseState}, cached so that a write
 * does not read the store, and refreshed from the {@link PhaseStore} every {@code interval} (at most
 * 1 s, so that every replica applies a change within a second of it being stored), telling its
 * listeners of each new version.
 *
 * <h2>Why a cache, and how writes will be fenced</h2>
 * The issue asks that every write run under exactly one phase: a write begun under version
 * {@code v} must never commit as if {@code v + 1} were current. A cache cannot promise that by
 * itself (another replica may store {@code v + 1} right after this one read {@code v}); it only
 * makes the version cheap to read. The router ({@link MigrationRouter}) therefore:
 * <ol>
 *   <li>read {@link #current()} <em>once</em> per write and carry that {@link PhaseState} (phase and
 *       version) through the whole write, never re-reading the phase half way (the primary and the
 *       secondary are chosen from the same state);</li>
 *   <li>fences the commit on the version: every write, whichever store is its primary, runs in
 *       a transaction of datastorage's PostgreSQL that first takes the phase fence's shared lock
 *       and checks that the version is still {@code v} (otherwise nothing is stored and the write
 *       runs once more under the new state): the primary's own write transaction when PostgreSQL
 *       is the primary ({@link io.datastorage.core.store.MigrationTerms}), a {@link PhaseFence}
 *       transaction around the legacy puts otherwise. A change takes the lock exclusively, so it
 *       waits until every write fenced to {@code v} has ended, and none of them commits after
 *       {@code v + 1} is stored. The cost is measured by {@code ./bench/run.sh fence};</li>
 *   <li>needs no bound on {@link #refreshedAt()}: a replica whose cached version is stale is
 *       refused by the fence at its first write and refreshes.</li>
 * </ol>
 *
 * <p>Versions only move forward here: a store answering an older version than the cached one
 * (a restored backup) is logged and ignored. A failed refresh keeps the cached state (the last known
 * phase), says so in {@link #storeHealth()} (and logs the first failure of a run of them), and is
 * retried at the next tick; it never stops the schedule. Refreshes read the store concurrently but
 * make a version current one at a time, so listeners hear of versions in order (on the thread that
 * refreshed: the executor's, or a caller of {@link #refresh()}); one that throws does not keep the
 * others from hearing. {@link #current()} takes no lock.
 */
public final class PhaseWatcher implements AutoCloseable {
    /** The longest refresh interval: the "every replica applies a change within 1 s". */
    public static final Duration MAX_INTERVAL = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(PhaseWatcher.class);

    /** Told of each new phase state a watcher sees, after it became {@link #current()}. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param previous the state cached before
         * @param current  the new state (a higher version; when versions were skipped between two
         *                 refreshes, only the newest is told)
         */
        void phaseChanged(PhaseState previous, PhaseState current);
    }

    /**
     * Whether the phase store answered this watcher's last read.
     *
     * @param up              whether the last read (scheduled or asked) was answered
     * @param lastRefreshedAt when the store last answered ({@link #refreshedAt()})
     * @param downSince       when the first of the failed reads since then failed; {@code null} while up
     * @param detail          why the last read failed; {@code null} while up
     */
    public record StoreHealth(boolean up, Instant lastRefreshedAt, Instant downSince, String detail) {
    }

    private final PhaseStore store;
    private final ScheduledExecutorService executor;
    private final Duration interval;
    private final Clock clock;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile PhaseState current;
    private volatile Instant refreshedAt;
    /** Set while the store's reads fail: the first failure's time and the last one's message. */
    private volatile StoreHealth down;
    private ScheduledFuture<?> schedule;

    /**
     * @param executor runs the refreshes and the listeners; not shut down by {@link #close()} (its
     *                 owner does that)
     * @param interval between two refreshes: more than zero, at most {@link #MAX_INTERVAL}
     * @param clock    stamps {@link #refreshedAt()}
     */
    public PhaseWatcher(PhaseStore store, ScheduledExecutorService executor, Duration interval, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (interval == null || interval.isNegative() || interval.isZero() || interval.compareTo(MAX_INTERVAL) > 0) {
            throw new IllegalArgumentException("the phase refresh interval must be more than zero and at most "
                    + MAX_INTERVAL.toMillis() + " ms, was " + interval);
        }
        this.interval = interval;
    }

    /** Adds a listener, told of every change seen from now on. */
    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Reads the phase once, on the calling thread, then refreshes it every interval.
     *
     * @return the state read
     * @throws IllegalStateException no phase is stored yet (initialise it first), or already started
     * @throws RuntimeException      the store's failure to answer: a replica must not serve writes
     *                               without knowing the phase
     */
    public synchronized PhaseState start() {
        if (schedule != null) {
            throw new IllegalStateException("the phase watcher is already started");
        }
        PhaseState first = store.current().orElseThrow(() -> new IllegalStateException(
                "no migration phase is stored yet: initialise it before watching it"));
        current = first;
        refreshedAt = clock.instant();
        long nanos = interval.toNanos();
        schedule = executor.scheduleWithFixedDelay(this::refreshQuietly, nanos, nanos, TimeUnit.NANOSECONDS);
        return first;
    }

    /**
     * The cached state: what a write runs under. Read it once per write.
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public PhaseState current() {
        PhaseState state = current;
        if (state == null) {
            throw new IllegalStateException("the phase watcher is not started");
        }
        return state;
    }

    /** When the store last answered a refresh (or {@link #start()}); {@code null} before the start. */
    public Instant refreshedAt() {
        return refreshedAt;
    }

    /**
     * Whether the phase store answered the last read: while it does not, {@link #current()} is the
     * last phase known, kept (every write still runs under it, and the phase fence refuses a write
     * whose commit PostgreSQL cannot check).
     */
    public StoreHealth storeHealth() {
        StoreHealth failing = down;
        return failing != null ? new StoreHealth(false, refreshedAt, failing.downSince(), failing.detail())
                : new StoreHealth(true, refreshedAt, null, null);
    }

    /**
     * Reads the store now and, if it holds a newer version, makes it current and tells the
     * listeners. The schedule calls this; a caller that just changed the phase may too, to see its
     * own change at once; so does every write the fence refused after a change.
     *
     * <p>The store is read without holding this watcher's lock, so that concurrent refreshes (every
     * write refused by the fence right after a change refreshes) each read the store at once rather
     * than one after another; only making a newer version current, and telling the listeners, runs
     * one at a time. A read that was overtaken by a concurrent refresh which saw a newer version is
     * not an older version answered by the store, and is not logged as one.
     *
     * @return the state current after the refresh
     * @throws RuntimeException the store's failure (the cached state stays)
     */
    public PhaseState refresh() {
        PhaseState before = current;
        PhaseState read;
        try {
            read = store.current().orElseThrow(() -> new IllegalStateException(
                    "the migration phase is no longer stored"));
        } catch (RuntimeException e) {
            failed(e);
            throw e;
        }
        return apply(read, before);
    }

    private synchronized void failed(RuntimeException e) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        StoreHealth failing = down;
        if (failing == null) {
            log.warn("the migration phase store does not answer; keeping the last known phase {} (version {}): {}",
                    current.phase(), current.version(), detail);
        }
        down = new StoreHealth(false, refreshedAt, failing == null ? clock.instant() : failing.downSince(), detail);
    }

    private synchronized PhaseState apply(PhaseState read, PhaseState before) {
        refreshedAt = clock.instant();
        if (down != null) {
            log.info("the migration phase store answers again (down since {})", down.downSince());
            down = null;
        }
        PhaseState previous = current;
        if (previous != null && read.version() <= previous.version()) {
            if (read.version() < previous.version() && previous == before) {
                log.warn("the phase store answered version {} ({}) after version {} ({}) was seen; keeping {}",
                        read.version(), read.phase(), previous.version(), previous.phase(), previous.version());
            }
            return previous;
        }
        current = read;
        if (previous != null) {
            log.info("migration phase {} (version {}) is now current, after {} (version {})",
                    read.phase(), read.version(), previous.phase(), previous.version());
            for (Listener listener : listeners) {
                try {
                    listener.phaseChanged(previous, read);
                } catch (RuntimeException e) {
                    log.warn("a listener failed on the migration phase change to {} (version {})",
                            read.phase(), read.version(), e);
                }
            }
        }
        return read;
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: keep the schedule, keep the cache.
            // The first failure of a run of them was logged by failed(); a line per second would drown the log.
            log.debug("could not refresh the migration phase; still using version {} ({})",
                    current.version(), current.phase(), e);
        }
    }

    /** Stops the refreshes; {@link #current()} keeps answering the last state seen. */
    @Override
    public synchronized void close() {
        if (schedule != null) {
            schedule.cancel(false);
        }
    }
}
