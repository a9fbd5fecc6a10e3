package io.datastorage.core.migration;

import io.datastorage.core.ManualClock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduled executor that runs nothing until a test moves time with {@link #advance}: then it
 * runs, on the test's thread and in time order, every task that fell due, moving its
 * {@link ManualClock} to each task's time first. Periodic tasks are rescheduled after each run
 * (fixed rate and fixed delay are the same here: a run takes no time). A test double with no
 * threads, so schedules are tested without sleeping (the JDK has none; Mockito cannot run due tasks).
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final ManualClock clock;
    private final List<Task> tasks = new ArrayList<>();
    private long now;
    private long sequence;
    private boolean shutdown;

    public ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    /** Lets {@code time} pass, running every task due within it. */
    public void advance(Duration time) {
        long until = now + time.toNanos();
        while (true) {
            Task next = tasks.stream().filter(t -> !t.cancelled && t.at <= until)
                    .min(Comparator.comparingLong((Task t) -> t.at).thenComparingLong(t -> t.order)).orElse(null);
            if (next == null) {
                break;
            }
            clock.advance(Duration.ofNanos(next.at - now));
            now = next.at;
            tasks.remove(next);
            next.command.run();
            if (next.period > 0 && !next.cancelled) {
                next.at = now + next.period;
                next.order = sequence++;
                tasks.add(next);
            } else {
                next.done = true;
            }
        }
        clock.advance(Duration.ofNanos(until - now));
        now = until;
    }

    /** The tasks waiting to run (not cancelled). */
    public long pending() {
        return tasks.stream().filter(t -> !t.cancelled).count();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return add(command, unit.toNanos(delay), 0);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return add(command, unit.toNanos(initialDelay), unit.toNanos(period));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return add(command, unit.toNanos(initialDelay), unit.toNanos(delay));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("not needed by the tests yet");
    }

    @Override
    public void execute(Runnable command) {
        add(command, 0, 0);
    }

    private Task add(Runnable command, long delay, long period) {
        if (shutdown) {
            throw new RejectedExecutionException("shut down");
        }
        Task task = new Task(command, now + Math.max(0, delay), period, sequence++);
        tasks.add(task);
        return task;
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> waiting = tasks.stream().map(t -> t.command).toList();
        tasks.clear();
        return waiting;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return shutdown;
    }

    private final class Task implements ScheduledFuture<Object> {
        final Runnable command;
        final long period;
        long at;
        long order;
        boolean cancelled;
        boolean done;

        Task(Runnable command, long at, long period, long order) {
            this.command = command;
            this.at = at;
            this.period = period;
            this.order = order;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(at - now, TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean wasPending = !cancelled && !done;
            cancelled = true;
            tasks.remove(this);
            return wasPending;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
