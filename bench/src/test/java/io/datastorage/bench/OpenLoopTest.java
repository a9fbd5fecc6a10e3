package io.datastorage.bench;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load generator itself, against the JDK's HTTP server on loopback (the subject here is the
 * harness, so any HTTP server will do). The server answers on one thread, so a slow answer holds up
 * every request behind it, which is what an open loop must show in the latencies.
 */
class OpenLoopTest {
    private HttpServer server;
    private final AtomicInteger received = new AtomicInteger();
    private volatile long stallMillis;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newSingleThreadExecutor());
        server.createContext("/", exchange -> {
            int n = received.incrementAndGet();
            if (n == 1 && stallMillis > 0) {
                sleep(stallMillis);
            }
            int status = exchange.getRequestURI().getPath().equals("/fail") ? 500 : 200;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void sendsRateTimesDurationRequestsAndCountsEveryAnswer() {
        try (OpenLoop load = new OpenLoop(64)) {
            OpenLoop.Step step = load.run(200, Duration.ofMillis(500), i -> call(i % 4 == 0 ? "/fail" : "/ok"));

            assertThat(step.requests()).isEqualTo(100);
            assertThat(received).hasValue(100);
            assertThat(step.ok()).isEqualTo(75);
            assertThat(step.failed()).isEqualTo(25);
            assertThat(step.firstFailure()).startsWith("500");
            assertThat(step.latency().getTotalCount()).isEqualTo(100);
        }
    }

    @Test
    void aStallCountsForEveryRequestDueDuringIt() {
        stallMillis = 500;
        try (OpenLoop load = new OpenLoop(256)) {
            // 100/s for 1 s: the first answer takes 500 ms, and the ~50 requests due meanwhile wait behind it.
            OpenLoop.Step step = load.run(100, Duration.ofSeconds(1), i -> call("/ok"));

            assertThat(step.ok()).isEqualTo(100);
            // Measured from each request's due time, the wait shows: the ~25 requests due in the stall's
            // first half each waited at least its second half. A stopwatch around each send would
            // have recorded one slow answer. (Lower bounds: a slower machine only adds to them.)
            assertThat(step.latency().getCountBetweenValues(250_000, Long.MAX_VALUE)).isGreaterThanOrEqualTo(20);
            assertThat(step.latency().getMaxValue()).isGreaterThanOrEqualTo(500_000);
        }
    }

    private OpenLoop.Call call(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path))
                .GET().build();
        return () -> request;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
