package io.datastorage.bench;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * Open-loop load at a fixed offered rate, the way wrk2 does it: request {@code i} of a step is due
 * at {@code start + i / rate} whatever happened to the requests before it, and its latency is
 * measured from that due time, not from the moment it left. A slow answer therefore cannot hold
 * back the requests behind it and hide their wait (coordinated omission): time spent waiting to be
 * sent counts. Each request runs on its own virtual thread; at most {@code maxOutstanding} are in
 * flight, beyond which the schedule falls behind and the lateness shows in the latencies.
 * Latencies go to an HdrHistogram in microseconds.
 */
final class OpenLoop implements AutoCloseable {
    /** What one request checks and keeps of its answer. */
    interface Call {
        HttpRequest request();

        /** Whether the answer is the one expected; a false is counted as a failure. */
        default boolean accept(HttpResponse<String> response) {
            return response.statusCode() / 100 == 2;
        }

        /** Sends {@code request}; an answer counts as expected when {@code expected} says so. */
        static Call of(HttpRequest request, Predicate<HttpResponse<String>> expected) {
            return new Call() {
                @Override
                public HttpRequest request() {
                    return request;
                }

                @Override
                public boolean accept(HttpResponse<String> response) {
                    return expected.test(response);
                }
            };
        }
    }

    /** One step: a fixed offered rate for a fixed time. */
    record Step(double offeredPerSecond, long requests, long ok, long failed, double seconds, Histogram latency,
                String firstFailure) {
        /** Answers accepted per second, from the first due time to the last answer. */
        double throughput() {
            return ok / seconds;
        }

        double millisAt(double percentile) {
            return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    private final HttpClient http;
    private final int maxOutstanding;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    OpenLoop(int maxOutstanding) {
        this.maxOutstanding = maxOutstanding;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).executor(threads).build();
    }

    /** Offers {@code rate} requests per second for {@code duration}; returns once every answer is in. */
    Step run(double rate, Duration duration, IntFunction<Call> calls) {
        long requests = Math.max(1, Math.round(rate * duration.toNanos() / 1e9));
        double interval = 1e9 / rate;
        Semaphore outstanding = new Semaphore(maxOutstanding);
        Histogram latency = new ConcurrentHistogram(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong lastAnswer = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        long start = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            long due = start + (long) (i * interval);
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            Call call = calls.apply(i);
            outstanding.acquireUninterruptibly();
            threads.execute(() -> {
                try {
                    HttpResponse<String> response = http.send(call.request(), HttpResponse.BodyHandlers.ofString());
                    if (call.accept(response)) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, response.statusCode() + " " + abbreviate(response.body()));
                    }
                } catch (IOException | RuntimeException e) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failed.incrementAndGet();
                } finally {
                    long now = System.nanoTime();
                    latency.recordValue(Math.max(0, (now - due) / 1000));
                    lastAnswer.accumulateAndGet(now, Math::max);
                    outstanding.release();
                }
            });
        }
        try {
            if (!outstanding.tryAcquire(maxOutstanding, 10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("answers still missing 10 minutes after the step at " + rate + "/s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the step's answers", e);
        }
        return new Step(rate, requests, ok.get(), failed.get(), (lastAnswer.get() - start) / 1e9, latency,
                firstFailure.get());
    }

    /** Sends one request and waits for its answer, outside any measurement. */
    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String body) {
        return body == null ? "" : body.length() > 200 ? body.substring(0, 200) + "…" : body;
    }

    @Override
    public void close() {
        http.close();
        threads.close();
    }
}
