package io.datastorage.server.cluster;

import io.datastorage.server.ChildService;
import io.datastorage.server.cluster.ClusterHarness.Deployment;
import io.datastorage.server.cluster.ClusterLoad.Search;
import io.datastorage.server.cluster.ClusterLoad.Write;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.datastorage.server.cluster.ClusterHarness.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster shape under faults (issue 18): two service processes on one external PostgreSQL, a
 * SolrCloud of two nodes with a collection of 2 shards × 2 replicas, and a Redis embedding cache
 * ({@link ClusterHarness}). Each test runs a load of single-record writes (and searches) through
 * the replicas, injects its fault mid-load, and then checks every acknowledged (201) record: it is
 * in PostgreSQL, and once the repair and the reconciliation have done their work, in Solr exactly
 * once (read shard by shard), with no record left marked pending. The figures (records
 * acknowledged, answers by kind, lag, run time) are printed; nothing is asserted about time.
 */
class ClusterFaultsTest {
    private static final Duration BOUND = Duration.ofMinutes(2);
    private static final int WRITERS = 6;

    private static ClusterHarness cluster;
    private Deployment deployment;
    private long startedNanos;

    @RegisterExtension
    final AfterTestExecutionCallback printLogsOnFailure = context -> {
        if (context.getExecutionException().isPresent() && deployment != null) {
            deployment.printLogTails();
            System.out.println("The replicas' and Solr's logs are kept in " + deployment.keepLogs());
            try {
                System.out.println("The collection now: " + cluster.solrGet("/admin/collections?action=CLUSTERSTATUS&collection="
                        + deployment.collection));
            } catch (RuntimeException e) {
                System.out.println("No cluster status: " + e);
            }
        }
    };

    @BeforeAll
    static void startServers() throws Exception {
        cluster = ClusterHarness.start();
    }

    @AfterAll
    static void stopServers() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void stopReplicas() {
        if (deployment != null) {
            deployment.close();
        }
    }

    /**
     * Writes go through both replicas; one is killed with SIGKILL (writes in flight, some of them
     * committed in PostgreSQL but not yet in Solr). The survivor keeps taking writes, reads back
     * every acknowledged record, and its repair and reconciliation put each one in Solr exactly once.
     */
    @Test
    void afterASigkillOfOneReplicaUnderLoadEveryAcknowledgedRecordIsInPostgresqlAndInSolrExactlyOnce() throws Exception {
        // The killed replica may hold a job's lease (the index repair's, say): the survivor takes the
        // job over once it lapses, so a short lease keeps the test short (10 s is the least allowed).
        List<String> shortLeases = List.of("--datastorage.jobs.lease-duration=10s");
        deploy("sigkill", shortLeases, shortLeases);
        ChildService killed = deployment.replica("a");
        ChildService survivor = deployment.replica("b");
        long killedAt;
        ClusterLoad load = new ClusterLoad("sigkill", List.of(killed, survivor), WRITERS, 0, Duration.ZERO);
        try {
            await().atMost(BOUND).until(() -> load.acknowledgedCount() >= 300 || !load.failed().isEmpty());
            killedAt = System.nanoTime();
            killed.process.destroyForcibly(); // SIGKILL, with writes in flight
            assertThat(killed.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(BOUND).until(load.moreAcknowledged(200)::get);
        } finally {
            load.close();
        }
        assertThat(killed.process.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
        assertThat(load.writes).as("answers other than 201, but for no answer from the killed replica after its kill")
                .filteredOn(w -> !w.acknowledged())
                .allSatisfy(w -> assertThat(w.status() == -1 && w.replica().equals(killed.name)
                        && w.answeredNanos() >= killedAt).as(w.toString()).isTrue());

        Map<UUID, String> acknowledged = load.acknowledged();
        List<String> unreadable = new ArrayList<>();
        acknowledged.forEach((id, kind) -> {
            HttpResponse<String> read = survivor.get("/api/v1/audit/" + kind + "/" + id);
            if (read.statusCode() != 200) {
                unreadable.add(kind + "/" + id + " -> " + read.statusCode());
            }
        });
        assertThat(unreadable).as("acknowledged records the survivor cannot read back from PostgreSQL").isEmpty();

        long repairFrom = System.nanoTime();
        await().atMost(BOUND).pollInterval(Duration.ofMillis(250)).until(() -> deployment.pendingMarkers() == 0);
        double repairSeconds = seconds(repairFrom);
        JsonNode report = reconcile(survivor);
        assertThat(report.get("orphans").asLong()).as(report.toString()).isZero();
        assertConverged(acknowledged);

        long notAnswered = load.writes.stream().filter(w -> w.status() == -1).count();
        System.out.printf("CLUSTER-SIGKILL: acknowledged=%d (through the killed replica %d, the survivor %d)"
                        + " noAnswerFromTheKilledReplica=%d pendingClearedSecondsAfterLoad=%.1f reconcile=%s runSeconds=%.1f%n",
                acknowledged.size(), acknowledgedThrough(load, killed.name), acknowledgedThrough(load, survivor.name),
                notAnswered, repairSeconds, report, seconds(startedNanos));
    }

    /**
     * One Solr node stops (gracefully, as in a rolling restart) under writes and searches through
     * both replicas. With 2 replicas of each shard the other node holds everything: no write fails,
     * every search answers, and every acknowledged record is in Solr exactly once with the node
     * still down and again after it rejoined.
     *
     * <p>Not every write is indexed at once: while the shards whose leader was on the stopped node
     * elect a new one (about half a second here), Solr answers the updates forwarded to the old
     * leader with 500 ("Async exception during distributed update: Connection refused"); that opens
     * the service's circuit breaker on the index, and until its probe goes through
     * ({@code datastorage.index.open-for}, 10 s by default) writes are acknowledged with
     * {@code vectorIndexed: false} and indexed by the repair. What is asserted is that indexing
     * resumes by itself with the node still down, and stays resumed: on each replica, no write asked
     * after its first one indexed again is left unindexed. The window is printed.
     */
    @Test
    void whenOneSolrNodeStopsUnderLoadNoWriteFailsSearchesAnswerIndexingResumesAndEveryRecordIsIndexedOnce()
            throws Exception {
        deploy("onenode");
        List<ChildService> replicas = List.of(deployment.replica("a"), deployment.replica("b"));
        long stoppedAt;
        long stopReturnedAt;
        ClusterLoad load = new ClusterLoad("onenode", replicas, WRITERS, 2, Duration.ofMillis(200));
        try {
            await().atMost(BOUND).until(() -> load.acknowledgedCount() >= 200);
            stoppedAt = System.nanoTime();
            cluster.stopNode(0);
            stopReturnedAt = System.nanoTime();
            // Indexing resumed on both replicas with the node still down: 100 writes asked since each indexed.
            await().atMost(BOUND).until(() -> replicas.stream().allMatch(r -> load.writes.stream()
                    .filter(w -> w.replica().equals(r.name) && w.askedNanos() > stopReturnedAt && w.vectorIndexed())
                    .count() >= 100));
        } finally {
            load.close();
        }
        assertThat(load.failed()).as("writes not acknowledged").isEmpty();
        assertThat(load.searches).as("searches").isNotEmpty()
                .allSatisfy(s -> assertThat(s.status()).as(s.toString()).isEqualTo(200));
        List<Search> degraded = load.searches.stream().filter(Search::degraded).toList();
        List<String> windows = new ArrayList<>();
        Map<String, Long> resumed = new HashMap<>();
        for (ChildService replica : replicas) {
            List<Write> mine = load.writes.stream().filter(w -> w.replica().equals(replica.name)).toList();
            List<Write> notIndexed = mine.stream().filter(w -> !w.vectorIndexed()).toList();
            // Resumed: the first write asked once the node was down (its stop returned) that was indexed
            // with no failed indexing after it. Counting from the moment the stop began would let a write
            // indexed while the node was still shutting down (its shard's leader elsewhere) mark
            // resumption while a search could still wait on the half-stopped node.
            long resumedAt = mine.stream().filter(w -> w.askedNanos() > stopReturnedAt && w.vectorIndexed()
                            && notIndexed.stream().allMatch(n -> n.askedNanos() < w.askedNanos() || n.askedNanos() < stoppedAt))
                    .mapToLong(Write::askedNanos).min().orElse(Long.MAX_VALUE);
            resumed.put(replica.name, resumedAt);
            assertThat(notIndexed).as("writes through %s not indexed at once before the stop", replica.name)
                    .allSatisfy(w -> assertThat(w.answeredNanos()).as(w.toString()).isGreaterThan(stoppedAt));
            assertThat(mine).as("writes through %s asked after indexing resumed", replica.name)
                    .filteredOn(w -> w.askedNanos() >= resumedAt)
                    .isNotEmpty()
                    .allSatisfy(w -> assertThat(w.vectorIndexed()).as(w.toString()).isTrue());
            windows.add(String.format("%s: %d not indexed, asked from %.1f s to %.1f s after the stop began", replica.name,
                    notIndexed.size(),
                    notIndexed.stream().mapToLong(Write::askedNanos).min().orElse(stoppedAt) / 1e9 - stoppedAt / 1e9,
                    notIndexed.stream().mapToLong(Write::askedNanos).max().orElse(stoppedAt) / 1e9 - stoppedAt / 1e9));
        }
        assertThat(degraded).as("degraded searches asked after indexing resumed on their replica")
                .allSatisfy(search -> assertThat(search.askedNanos()).as(search.toString()).isLessThan(resumed.get(search.replica())));
        System.out.printf("CLUSTER-ONE-NODE: acknowledged=%d failed=%d searches=%d failedSearches=%d degradedSearches=%d"
                        + " stopNodeSeconds=%.1f unindexed=%s%n",
                load.acknowledgedCount(), load.failed().size(), load.searches.size(),
                load.searches.stream().filter(s -> s.status() != 200).count(), degraded.size(),
                (stopReturnedAt - stoppedAt) / 1e9, windows);

        Map<UUID, String> acknowledged = load.acknowledged();
        assertConverged(acknowledged);
        cluster.startNode(0);
        assertConverged(acknowledged);
        System.out.printf("CLUSTER-ONE-NODE: runSeconds=%.1f%n", seconds(startedNanos));
    }

    /**
     * Every Solr node stops for 30 s under writes and searches: writes are acknowledged with
     * {@code vectorIndexed: false} and searches answer {@code degraded: true} meanwhile; once the
     * nodes are back, every acknowledged record reaches Solr exactly once and PostgreSQL's pending
     * markers clear. The time from the nodes' return to that state is printed; the writers stop
     * when the nodes are back, so it is the time to work off the outage's backlog (the circuit
     * breaker's {@code open-for}, the repair's batches and the visibility of Solr's soft commits).
     */
    @Test
    void whenEverySolrNodeStopsFor30sWritesAreAcknowledgedUnindexedSearchesDegradeAndAllConvergesAfterTheReturn()
            throws Exception {
        deploy("allnodes");
        List<ChildService> replicas = List.of(deployment.replica("a"), deployment.replica("b"));
        long downFrom;
        long returnFrom;
        long returned;
        ClusterLoad load = new ClusterLoad("allnodes", replicas, WRITERS, 2, Duration.ofMillis(200));
        try {
            await().atMost(BOUND).until(() -> load.acknowledgedCount() >= 200);
            cluster.stopNode(0);
            cluster.stopNode(1);
            downFrom = System.nanoTime();
            Thread.sleep(Duration.ofSeconds(30)); // the outage under load (a fault's length, not a wait for a state)
            returnFrom = System.nanoTime();
            cluster.startNode(0);
            cluster.startNode(1);
            returned = System.nanoTime();
        } finally {
            load.close();
        }
        // Judged: what was asked after the last node was down and answered before the first came back.
        List<Write> duringOutage = load.writes.stream()
                .filter(w -> w.askedNanos() >= downFrom && w.answeredNanos() <= returnFrom).toList();
        List<Search> searchesDuringOutage = load.searches.stream()
                .filter(s -> s.askedNanos() >= downFrom && s.answeredNanos() <= returnFrom).toList();
        assertThat(load.failed()).as("writes not acknowledged").isEmpty();
        assertThat(duringOutage).as("writes during the outage").isNotEmpty()
                .allSatisfy(w -> assertThat(w.vectorIndexed()).as(w.toString()).isFalse());
        assertThat(load.searches).allSatisfy(s -> assertThat(s.status()).as(s.toString()).isEqualTo(200));
        assertThat(searchesDuringOutage).as("searches during the outage").isNotEmpty()
                .allSatisfy(s -> assertThat(s.degraded()).as(s.toString()).isTrue());

        Map<UUID, String> acknowledged = load.acknowledged();
        await().atMost(BOUND).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .untilAsserted(() -> checkConverged(acknowledged));
        double lagSeconds = seconds(returned);
        JsonNode report = reconcile(deployment.replica("b"));
        assertConverged(acknowledged);
        System.out.printf("CLUSTER-ALL-NODES: acknowledged=%d acknowledgedDuringOutage=%d searchesDuringOutage=%d"
                        + " (degraded %d) nodesReturnSeconds=%.1f convergedSecondsAfterNodesReturned=%.1f"
                        + " reconcileAfterwards=%s runSeconds=%.1f%n",
                acknowledged.size(), duringOutage.size(), searchesDuringOutage.size(),
                searchesDuringOutage.stream().filter(Search::degraded).count(), (returned - returnFrom) / 1e9,
                lagSeconds, report, seconds(startedNanos));
    }

    /**
     * A reconciliation never deletes the entry of a record another replica is writing: replica a
     * upserts each record's vector before its transaction commits
     * ({@code write-order=in-transaction}, so a reconciliation can see an entry whose record is
     * not committed yet), replica b commits first (the remote index's default); each in turn writes
     * steadily while the other reconciles again and again. No run deletes anything (no record is
     * ever deleted here, so every orphan would be a record being written), and afterwards every
     * acknowledged record is in Solr exactly once.
     */
    @Test
    void aReconciliationOnEitherReplicaNeverDeletesAnEntryTheOtherIsWriting() throws Exception {
        deploy("reconcile", List.of("--datastorage.index.write-order=in-transaction"), List.of());
        ChildService a = deployment.replica("a");
        ChildService b = deployment.replica("b");
        List<JsonNode> reports = new ArrayList<>();
        int elsewhere = 0;
        Map<UUID, String> acknowledged = new HashMap<>();
        for (ChildService[] pair : new ChildService[][]{{a, b}, {b, a}}) {
            ChildService writer = pair[0];
            ChildService reconciler = pair[1];
            ClusterLoad load = new ClusterLoad("reconcile-" + writer.name, List.of(writer), WRITERS, 0, Duration.ZERO);
            try {
                await().atMost(BOUND).until(() -> load.acknowledgedCount() >= 50);
                for (int run = 0; run < 5; run++) {
                    HttpResponse<String> answer = reconciler.postJson("/api/v1/admin/reconcile", "");
                    if (answer.statusCode() == 409 && answer.body().contains("reconcile-elsewhere")) {
                        elsewhere++; // the writer's own scheduled run holds the lease: not this test's case
                        continue;
                    }
                    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                    reports.add(JSON.readTree(answer.body()));
                }
            } finally {
                load.close();
            }
            assertThat(load.failed()).as("writes not acknowledged").isEmpty();
            acknowledged.putAll(load.acknowledged());
        }
        assertThat(reports).as("reconciliations that ran").isNotEmpty()
                .allSatisfy(report -> assertThat(report.get("orphans").asLong()).as(report.toString()).isZero());
        assertConverged(acknowledged);
        System.out.printf("CLUSTER-RECONCILE: acknowledged=%d reconciliations=%d (409 elsewhere %d) missingWritten=%d"
                        + " inFlightLeft=%d tooYoungLeft=%d orphansDeleted=%d runSeconds=%.1f%n",
                acknowledged.size(), reports.size(), elsewhere, sum(reports, "missing"), sum(reports, "inFlight"),
                sum(reports, "tooYoung"), sum(reports, "orphans"), seconds(startedNanos));
    }

    private void deploy(String name, List<String> aArgs, List<String> bArgs) throws Exception {
        startedNanos = System.nanoTime();
        deployment = cluster.deploy(name, aArgs, bArgs);
    }

    private void deploy(String name) throws Exception {
        deploy(name, List.of(), List.of());
    }

    /**
     * Asserts the converged state: PostgreSQL holds every acknowledged record and marks none
     * pending, and Solr holds each record PostgreSQL holds with an embedding, exactly once, and
     * nothing else. Awaited (Solr may still be electing leaders or recovering), then asserted once
     * more; the last failure says what is still missing.
     */
    private void assertConverged(Map<UUID, String> acknowledged) {
        await().atMost(BOUND).pollInterval(Duration.ofMillis(500)).ignoreExceptionsMatching(e -> e instanceof UncheckedIOException)
                .untilAsserted(() -> checkConverged(acknowledged));
    }

    private void checkConverged(Map<UUID, String> acknowledged) {
        assertThat(deployment.inPostgres()).as("acknowledged records in PostgreSQL").containsAll(acknowledged.keySet());
        assertThat(deployment.pendingMarkers()).as("records still marked pending").isZero();
        Map<UUID, Integer> copies = deployment.solrRecordCopies();
        assertThat(copies.keySet()).as("acknowledged records in Solr").containsAll(acknowledged.keySet());
        assertThat(copies.keySet()).as("Solr's records = PostgreSQL's records with an embedding")
                .isEqualTo(deployment.embeddedInPostgres());
        assertThat(copies.entrySet().stream().filter(e -> e.getValue() != 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)))
                .as("records held more than once").isEmpty();
    }

    private static JsonNode reconcile(ChildService replica) {
        HttpResponse<String> answer = await().atMost(BOUND).pollInterval(Duration.ofSeconds(1))
                .until(() -> replica.postJson("/api/v1/admin/reconcile", ""), a -> a.statusCode() != 409);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private static long acknowledgedThrough(ClusterLoad load, String replica) {
        return load.writes.stream().filter(w -> w.acknowledged() && w.replica().equals(replica)).count();
    }

    private static long sum(List<JsonNode> reports, String field) {
        return reports.stream().mapToLong(r -> r.get(field).asLong()).sum();
    }

    private static double seconds(long fromNanos) {
        return (System.nanoTime() - fromNanos) / 1e9;
    }
}
