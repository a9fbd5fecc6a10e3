package io.datastorage.server.cluster;

import io.datastorage.server.ChildService;
import io.datastorage.server.RunningService;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import static io.datastorage.server.cluster.ClusterHarness.JSON;

/**
 * Writers that POST single records (and, if asked, searchers that search) against the replicas
 * until {@link #close}, keeping every answer with the time it was asked and answered, so a test
 * can judge each one against what the cluster was going through then. Writer {@code w} writes
 * through replica {@code w mod n}; a writer whose replica is gone keeps failing (and is counted)
 * without spinning.
 *
 * <p>Names are unique per load, so each record's text, and so its vector, is its own.
 */
final class ClusterLoad implements AutoCloseable {
    private static final List<String> KINDS = RunningService.KINDS;
    private static final List<String> QUERIES = List.of("container ran out of memory and was killed",
            "restart the deployment after a failed rollout", "disk pressure on the node");

    /** A POST of one record: {@code status} -1 when no answer came (the connection failed). */
    record Write(String replica, long askedNanos, long answeredNanos, int status, UUID id, String kind,
                 boolean vectorIndexed, String body) {
        boolean acknowledged() {
            return status == 201;
        }
    }

    /** A search: {@code status} -1 when no answer came. */
    record Search(String replica, long askedNanos, long answeredNanos, int status, boolean degraded, String body) {
    }

    final Queue<Write> writes = new ConcurrentLinkedQueue<>();
    final Queue<Search> searches = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * Starts {@code writers} writers and {@code searchers} searchers over {@code replicas}; each
     * searcher asks one search every {@code searchPause} or so.
     */
    ClusterLoad(String tag, List<ChildService> replicas, int writers, int searchers, Duration searchPause) {
        for (int w = 0; w < writers; w++) {
            ChildService replica = replicas.get(w % replicas.size());
            int writer = w;
            threads.submit(() -> write(tag + "-" + writer, replica));
        }
        for (int s = 0; s < searchers; s++) {
            ChildService replica = replicas.get(s % replicas.size());
            int searcher = s;
            threads.submit(() -> search(replica, searcher, searchPause));
        }
    }

    private void write(String name, ChildService replica) {
        for (int i = 0; !stop.get(); i++) {
            String kind = KINDS.get(i % KINDS.size());
            long asked = System.nanoTime();
            try {
                HttpResponse<String> answer = replica.postJson("/api/v1/audit/" + kind,
                        RunningService.validRecord(kind, name + "-" + i));
                long answered = System.nanoTime();
                if (answer.statusCode() == 201) {
                    JsonNode body = JSON.readTree(answer.body());
                    writes.add(new Write(replica.name, asked, answered, 201, UUID.fromString(body.get("id").asString()),
                            kind, body.get("vectorIndexed").asBoolean(), null));
                } else {
                    writes.add(new Write(replica.name, asked, answered, answer.statusCode(), null, kind, false, answer.body()));
                }
            } catch (RuntimeException e) {
                writes.add(new Write(replica.name, asked, System.nanoTime(), -1, null, kind, false, e.toString()));
                pause();
            }
        }
    }

    private void search(ChildService replica, int searcher, Duration pauseBetween) {
        for (int i = 0; !stop.get(); i++) {
            long asked = System.nanoTime();
            try {
                HttpResponse<String> answer = replica.postJson("/api/v1/audit/search",
                        "{\"query\":\"" + QUERIES.get((i + searcher) % QUERIES.size()) + "\",\"topK\":5}");
                long answered = System.nanoTime();
                boolean degraded = answer.statusCode() == 200 && JSON.readTree(answer.body()).get("degraded").asBoolean();
                searches.add(new Search(replica.name, asked, answered, answer.statusCode(), degraded,
                        answer.statusCode() == 200 ? null : answer.body()));
            } catch (RuntimeException e) {
                searches.add(new Search(replica.name, asked, System.nanoTime(), -1, false, e.toString()));
            }
            try {
                Thread.sleep(pauseBetween);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Acknowledged records so far: id → kind. */
    Map<UUID, String> acknowledged() {
        Map<UUID, String> ids = new ConcurrentHashMap<>();
        writes.stream().filter(Write::acknowledged).forEach(w -> ids.put(w.id(), w.kind()));
        return ids;
    }

    long acknowledgedCount() {
        return writes.stream().filter(Write::acknowledged).count();
    }

    /** Writes whose answer was not 201 (no answer included). */
    List<Write> failed() {
        return writes.stream().filter(w -> !w.acknowledged()).toList();
    }

    /** Asks every writer and searcher to stop and waits for the answers in flight. */
    @Override
    public void close() {
        stop.set(true);
        threads.close();
    }

    /** A supplier for Awaitility: {@code true} once {@code n} more records than now are acknowledged. */
    Supplier<Boolean> moreAcknowledged(long n) {
        long target = acknowledgedCount() + n;
        return () -> acknowledgedCount() >= target;
    }
}
