package io.datastorage.bench;

import io.datastorage.solr.testcluster.SolrCloudForTests;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the cluster shape needs besides the replicas, all on this machine: an external PostgreSQL
 * (the embedded server, started on its own with the service's durable settings), a Redis for the
 * shared embedding cache (the {@code redis-server} binary of embedded-redis; no persistence, it is a
 * cache) and a SolrCloud of two nodes with an embedded ZooKeeper ({@link SolrCloudForTests}, in a
 * child JVM). {@link #replicaEnvironment} is what a replica is given, as a container would be.
 * Closing stops Solr, Redis and PostgreSQL and deletes their files.
 */
final class LocalCluster implements AutoCloseable {
    private final EmbeddedPostgresServer postgres;
    private final RedisServer redis;
    private final int redisPort;
    private final SolrCloudForTests solr;
    private final Optional<ProcessHandle> solrProcess;
    /** Stops everything when the JVM ends first (Ctrl-C, SIGTERM): PostgreSQL is not its child and would stay. */
    private final Thread stopOnExit = new Thread(this::stop, "stop-local-cluster");
    private boolean stopped;

    private LocalCluster(EmbeddedPostgresServer postgres, RedisServer redis, int redisPort, SolrCloudForTests solr,
                         Optional<ProcessHandle> solrProcess) {
        this.postgres = postgres;
        this.redis = redis;
        this.redisPort = redisPort;
        this.solr = solr;
        this.solrProcess = solrProcess;
    }

    /** Starts PostgreSQL (its cluster under {@code dir}), Redis and a 2-node SolrCloud. */
    static LocalCluster start(Path dir) {
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), 0);
        RedisServer redis = null;
        try {
            int redisPort = ServiceProcess.freePort();
            redis = RedisServer.newRedisServer()
                    .executableProvider(ExecutableProvider.newJarResourceProvider())
                    .bind("127.0.0.1")
                    .port(redisPort)
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .onShutdownForceStop(false)
                    .build();
            redis.start();
            // The launcher does not tell its child's pid: it is the child this start added.
            Set<Long> before = ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
            SolrCloudForTests solr = SolrCloudForTests.start(2);
            Optional<ProcessHandle> solrProcess = ProcessHandle.current().children()
                    .filter(p -> !before.contains(p.pid())).findFirst();
            LocalCluster cluster = new LocalCluster(postgres, redis, redisPort, solr, solrProcess);
            Runtime.getRuntime().addShutdownHook(cluster.stopOnExit);
            return cluster;
        } catch (IOException | RuntimeException e) {
            stopQuietly(redis);
            postgres.close();
            throw e instanceof IOException io ? new UncheckedIOException("cannot start redis-server", io) : (RuntimeException) e;
        }
    }

    /** Creates an empty database for one configuration of replicas; answers its JDBC URL. */
    String createDatabase(String name) {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return databaseUrl(name);
    }

    /** The JDBC URL of {@code database} on this PostgreSQL. */
    String databaseUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/" + database;
    }

    String postgresUser() {
        return postgres.user();
    }

    String redisUrl() {
        return "redis://127.0.0.1:" + redisPort;
    }

    List<String> solrUrls() {
        return solr.solrUrls();
    }

    String zkHost() {
        return solr.zkHost();
    }

    /** Deletes a collection (Collections API), so the next configuration finds Solr with no other collection to serve. */
    void deleteCollection(String collection) {
        URI uri = URI.create(solr.solrUrls().getFirst() + "/admin/collections?action=DELETE&name=" + collection);
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                System.err.println("could not delete collection " + collection + ": " + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            System.err.println("could not delete collection " + collection + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The settings of a replica, as environment variables: the index ({@code lucene} or {@code solr},
     * for Solr the node URLs and {@code collection}), the external database and the shared cache.
     */
    Map<String, String> replicaEnvironment(String indexType, String collection, String jdbcUrl) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DATASTORAGE_INDEX_TYPE", indexType);
        if (indexType.equals("solr")) {
            env.put("DATASTORAGE_INDEX_SOLR_URLS", String.join(",", solr.solrUrls()));
            env.put("DATASTORAGE_INDEX_SOLR_COLLECTION", collection);
        }
        env.put("DATASTORAGE_DB_URL", jdbcUrl);
        env.put("DATASTORAGE_DB_USER", postgres.user());
        env.put("DATASTORAGE_CACHE_URL", redisUrl());
        return env;
    }

    /** CPU seconds so far of PostgreSQL: the postmaster, its live processes and those it has reaped. */
    double postgresCpu() {
        return postgres.postmasterPid().stream().mapToObj(ProcessHandle::of).flatMap(Optional::stream)
                .mapToDouble(p -> ServiceProcess.cpuWithReapedChildren(p)
                        + p.descendants().mapToDouble(ServiceProcess::cpuSeconds).sum())
                .sum();
    }

    /** CPU seconds so far of the Solr JVM (both nodes and ZooKeeper); 0 when its process was not found. */
    double solrCpu() {
        return solrProcess.map(ServiceProcess::cpuSeconds).orElse(0.0);
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running or has run
        }
    }

    private synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            solr.close();
        } finally {
            stopQuietly(redis);
            postgres.close();
        }
    }

    private static void stopQuietly(RedisServer redis) {
        if (redis != null) {
            try {
                redis.stop();
            } catch (IOException e) {
                System.err.println("could not stop redis-server: " + e.getMessage());
            }
        }
    }
}
