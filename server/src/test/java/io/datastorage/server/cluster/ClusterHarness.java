package io.datastorage.server.cluster;

import io.datastorage.cache.redis.RedisTestServer;
import io.datastorage.server.ChildService;
import io.datastorage.solr.testcluster.SolrCloudForTests;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;

/**
 * The cluster shape on one machine, for the cluster tests: one external PostgreSQL (the embedded
 * server class of store-postgres, with its durable settings, run by the test, not by a service), a
 * SolrCloud of two nodes of its own ({@link SolrCloudForTests#start}: the tests stop nodes), a Redis,
 * and for each test a {@link Deployment}: a fresh database on that PostgreSQL, a fresh Solr
 * collection (2 shards × 2 replicas) and two service processes on them ({@link ChildService}: a
 * replica must really die for SIGKILL).
 *
 * <p>The servers are shared by the tests of a class (their start-up is the slow part); what one
 * test leaves behind (its database, its collection) the next one does not see. A test that stops
 * Solr nodes must start them again ({@link #startStoppedNodes}, also done by
 * {@link Deployment#close}).
 *
 * <p>Solr is read directly over HTTP, shard by shard ({@link Deployment#solrRecordCopies}), so a
 * record held twice (by two shards) is seen as such; a distributed query would fold the copies.
 */
final class ClusterHarness implements AutoCloseable {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String SHARDS = "2";
    static final String REPLICATION_FACTOR = "2";

    private static final AtomicInteger DEPLOYMENTS = new AtomicInteger();

    final Path dir;
    final EmbeddedPostgresServer postgres;
    final SolrCloudForTests solr;
    final RedisTestServer redis;
    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final Set<Integer> stoppedNodes = new TreeSet<>();

    private ClusterHarness(Path dir, EmbeddedPostgresServer postgres, SolrCloudForTests solr, RedisTestServer redis) {
        this.dir = dir;
        this.postgres = postgres;
        this.solr = solr;
        this.redis = redis;
    }

    /** Starts PostgreSQL, a 2-node SolrCloud and Redis. */
    static ClusterHarness start() throws IOException {
        Path dir = Files.createTempDirectory("datastorage-cluster");
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(Files.createDirectory(dir.resolve("postgres")), 0);
        SolrCloudForTests solr = null;
        try {
            solr = SolrCloudForTests.start(2);
            return new ClusterHarness(dir, postgres, solr, RedisTestServer.start());
        } catch (RuntimeException e) {
            if (solr != null) {
                solr.close();
            }
            postgres.close();
            throw e;
        }
    }

    /** Stops Solr node {@code i} (gracefully; its data stays) and remembers it for {@link #startStoppedNodes}. */
    synchronized void stopNode(int i) {
        stoppedNodes.add(i);
        try {
            solr.stopNode(i);
        } catch (IllegalStateException e) {
            // Seen after the nodes had been stopped and started again: the launcher's wait for the
            // stop times out although the node does stop. What counts here is that it left the cluster.
            System.out.println("stopping Solr node " + i + ": " + e.getMessage() + "; waiting for it to leave the live nodes");
            String liveName = URI.create(solr.solrUrls().get(i)).getAuthority() + "_solr";
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> {
                        try {
                            return !solrGet("/admin/collections?action=CLUSTERSTATUS").path("cluster").path("live_nodes")
                                    .toString().contains(liveName);
                        } catch (UncheckedIOException noNodeAnswered) {
                            // With every node stopped none is left to list the live nodes; this one
                            // did not answer either (solrGet asks each), so it is gone too.
                            return stoppedNodes.size() == solr.solrUrls().size();
                        }
                    });
        }
    }

    /** Starts node {@code i} again; returns once it has rejoined the cluster. */
    synchronized void startNode(int i) {
        solr.startNode(i);
        stoppedNodes.remove(i);
    }

    synchronized void startStoppedNodes() {
        for (int i : List.copyOf(stoppedNodes)) {
            startNode(i);
        }
    }

    /** {@link #deploy(String, List, List)} with the same options for both replicas. */
    Deployment deploy(String name) throws IOException {
        return deploy(name, List.of(), List.of());
    }

    /**
     * A fresh database and collection named after {@code name}, and the two replicas {@code a} and
     * {@code b} on them, started one after the other (the first creates the collection).
     *
     * @param aArgs more options for replica {@code a}
     * @param bArgs more options for replica {@code b}
     */
    Deployment deploy(String name, List<String> aArgs, List<String> bArgs) throws IOException {
        String unique = name + "_" + DEPLOYMENTS.incrementAndGet();
        new JdbcTemplate(new DriverManagerDataSource(postgres.jdbcUrl())).execute("CREATE DATABASE " + unique);
        Deployment deployment = new Deployment(unique, Files.createDirectory(dir.resolve(unique)));
        try {
            deployment.start("a", aArgs);
            deployment.start("b", bArgs);
        } catch (IOException | RuntimeException e) {
            deployment.close();
            throw e;
        }
        return deployment;
    }

    @Override
    public void close() {
        try (redis; postgres; solr) {
            http.close();
        } finally {
            FileSystemUtils.deleteRecursively(dir.toFile());
        }
    }

    /** One test's database, collection and replicas. */
    final class Deployment implements AutoCloseable {
        final String database;
        final String collection;
        final Path dir;
        final JdbcTemplate db;
        private final Map<String, ChildService> replicas = new HashMap<>();
        private final List<ChildService> started = new ArrayList<>();

        private Deployment(String name, Path dir) {
            this.database = name;
            this.collection = name;
            this.dir = dir;
            this.db = new JdbcTemplate(new DriverManagerDataSource(jdbcUrl(), postgres.user(), null));
        }

        private String jdbcUrl() {
            return "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/" + database;
        }

        /** Starts (or starts again) replica {@code name} with {@code extraArgs} and waits until it is ready. */
        synchronized ChildService start(String name, List<String> extraArgs) throws IOException {
            Path dataDir = dir.resolve(name + "-" + started.size());
            Files.createDirectories(dataDir);
            List<String> args = new ArrayList<>(List.of(
                    "--datastorage.db.url=" + jdbcUrl(),
                    "--datastorage.db.user=" + postgres.user(),
                    "--datastorage.cache.url=" + redis.uri(),
                    "--datastorage.index.type=solr",
                    "--datastorage.index.solr.urls=" + String.join(",", solr.solrUrls()),
                    "--datastorage.index.solr.collection=" + collection,
                    "--datastorage.index.solr.shards=" + SHARDS,
                    "--datastorage.index.solr.replication-factor=" + REPLICATION_FACTOR));
            args.addAll(extraArgs);
            ChildService replica = ChildService.start(name, dataDir, http, args);
            started.add(replica);
            replicas.put(name, replica);
            return replica;
        }

        ChildService replica(String name) {
            return replicas.get(name);
        }

        /** Records whose embedding or indexing PostgreSQL still marks as pending. */
        long pendingMarkers() {
            return db.queryForObject("SELECT count(*) FROM audit_records WHERE index_pending OR embedding_pending", Long.class);
        }

        /** Ids of the records PostgreSQL holds with an embedding: what the index must hold, once each. */
        Set<UUID> embeddedInPostgres() {
            return new HashSet<>(db.queryForList("SELECT id FROM audit_records WHERE embedding IS NOT NULL", UUID.class));
        }

        Set<UUID> inPostgres() {
            return new HashSet<>(db.queryForList("SELECT id FROM audit_records", UUID.class));
        }

        /**
         * How many record documents each id has in the collection, summed over its shards (each
         * shard read on its own, every page by {@code cursorMark}); a shard that cannot be read
         * fails the call.
         */
        Map<UUID, Integer> solrRecordCopies() {
            Map<UUID, Integer> copies = new HashMap<>();
            for (String shard : shards()) {
                String cursor = "*";
                while (true) {
                    JsonNode page = solrGet("/" + collection + "/select?q=*:*&fq=doc_type:record&fl=id&sort=id+asc&rows=2000"
                            + "&shards=" + shard + "&cursorMark=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
                    for (JsonNode doc : page.path("response").path("docs")) {
                        copies.merge(UUID.fromString(doc.get("id").asString()), 1, Integer::sum);
                    }
                    String next = page.get("nextCursorMark").asString();
                    if (next.equals(cursor)) {
                        break;
                    }
                    cursor = next;
                }
            }
            return copies;
        }

        /** The collection's shard names, from the cluster's state. */
        List<String> shards() {
            JsonNode status = solrGet("/admin/collections?action=CLUSTERSTATUS&collection=" + collection);
            List<String> names = new ArrayList<>();
            status.path("cluster").path("collections").path(collection).path("shards").propertyNames().forEach(names::add);
            if (names.isEmpty()) {
                throw new IllegalStateException("no shards for " + collection + ": " + status);
            }
            return names;
        }

        /** Kills the replicas, starts stopped Solr nodes again and deletes the collection (its cores would slow the next test's node restarts). */
        @Override
        public void close() {
            started.forEach(ChildService::kill);
            startStoppedNodes();
            try {
                solrGet("/admin/collections?action=DELETE&name=" + collection);
            } catch (RuntimeException e) {
                System.out.println("could not delete the collection " + collection + ": " + e);
            }
        }

        void printLogTails() {
            started.forEach(ChildService::printLogTail);
        }

        /**
         * Copies the replicas' whole output and Solr's log to {@code target/cluster-logs/<deployment>}
         * (the servers' directories are deleted when the class ends), and returns where.
         */
        Path keepLogs() {
            Path kept = Path.of("target", "cluster-logs", database).toAbsolutePath();
            try {
                Files.createDirectories(kept);
                for (ChildService replica : started) {
                    Files.copy(replica.log, kept.resolve(replica.log.getParent().getFileName() + ".log"),
                            StandardCopyOption.REPLACE_EXISTING);
                }
                Path solrLog = solr.baseDir().resolve("solr.log");
                if (Files.exists(solrLog)) {
                    Files.copy(solrLog, kept.resolve("solr.log"), StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                System.out.println("could not keep the logs in " + kept + ": " + e);
            }
            return kept;
        }
    }

    /** GET {@code path} (after {@code /solr}) from the first node that answers, as JSON. */
    JsonNode solrGet(String path) {
        IOException last = null;
        for (String node : solr.solrUrls()) {
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(node + path
                                + (path.contains("?") ? "&" : "?") + "wt=json"))
                        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    return JSON.readTree(answer.body());
                }
                last = new IOException(node + path + " answered " + answer.statusCode() + ": " + answer.body());
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new UncheckedIOException("no Solr node answered " + path, last);
    }
}
