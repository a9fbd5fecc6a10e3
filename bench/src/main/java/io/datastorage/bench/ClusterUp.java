package io.datastorage.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The cluster shape on one machine, to try before deploying it: an external PostgreSQL, a Redis, a
 * two-node SolrCloud and two service replicas (API on 8081 and 8082, metrics on 9091 and 9092),
 * each given its settings as environment variables, as a container would be. Prints every URL, each
 * replica's environment and curl commands that write through one replica and read and search
 * through the other; runs until Ctrl-C (or {@code --for}), then stops everything and deletes its
 * files.
 */
@Command(name = "cluster-up", mixinStandardHelpOptions = true,
        description = {"Starts the cluster shape on this machine: PostgreSQL, Redis, a 2-node SolrCloud and two replicas "
                + "(API ports 8081/8082, metrics 9091/9092) with DATASTORAGE_INDEX_TYPE=solr.",
                "Prints every URL, the environment each replica got and curl examples; runs until Ctrl-C, then stops "
                        + "everything. Start-up takes about a minute on 2 cores."})
final class ClusterUp implements Runnable {
    static final int[] API_PORTS = {8081, 8082};
    static final int[] METRICS_PORTS = {9091, 9092};

    @Option(names = "--for", paramLabel = "<duration>", converter = Durations.class,
            description = "Stop by itself after this long (e.g. 60s, 10m); default: run until Ctrl-C.")
    Duration duration;

    @Option(names = "--collection", description = "The Solr collection the replicas create and share (default: ${DEFAULT-VALUE}).")
    String collection = "datastorage";

    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public void run() {
        for (int port : concat(API_PORTS, METRICS_PORTS)) {
            requireFree(port);
        }
        Path home = Path.of(System.getProperty("datastorage.home", "."));
        Path launcher = home.resolve("datastorage");
        TempDir temp = TempDir.create("datastorage-cluster");
        List<AutoCloseable> running = new ArrayList<>();
        // Ctrl-C ends the JVM: the hook stops what runs, replicas first, and lets the main thread go.
        Thread stop = new Thread(() -> {
            stopAll(running, temp);
            stopped.countDown();
        }, "cluster-up-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            progress("starting PostgreSQL, Redis and a 2-node SolrCloud (files under %s)", temp.path());
            LocalCluster cluster = LocalCluster.start(temp.path());
            synchronized (running) {
                running.add(cluster);
            }
            String jdbcUrl = cluster.databaseUrl("postgres");
            List<Map<String, String>> environments = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                Map<String, String> env = cluster.replicaEnvironment("solr", collection, jdbcUrl);
                env.put("SERVER_PORT", Integer.toString(API_PORTS[r]));
                env.put("MANAGEMENT_SERVER_PORT", Integer.toString(METRICS_PORTS[r]));
                environments.add(env);
                Path log = temp.path().resolve("replica-" + (r + 1) + ".log");
                progress("starting replica %d (API %d, metrics %d; log %s)", r + 1, API_PORTS[r], METRICS_PORTS[r], log);
                // One after the other: the first creates the Solr collection and the schema, the second finds them.
                ServiceProcess replica;
                try {
                    replica = ServiceProcess.startReplica(launcher, temp.path().resolve("replica-" + (r + 1)),
                            log, API_PORTS[r], METRICS_PORTS[r], env);
                } catch (RuntimeException e) {
                    // The log is deleted with everything else on the way out: show its end first.
                    System.err.println(tail(log, 60));
                    throw e;
                }
                synchronized (running) {
                    running.add(replica);
                }
            }
            System.out.println(describe(cluster, jdbcUrl, environments, temp.path()));
            System.out.flush();
            if (duration == null) {
                stopped.await();
            } else if (!stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS)) {
                progress("%d s passed: stopping", duration.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (stopped.getCount() > 0) {
                try {
                    Runtime.getRuntime().removeShutdownHook(stop);
                    stopAll(running, temp);
                } catch (IllegalStateException e) {
                    // the JVM is shutting down: the hook stops everything
                }
            }
        }
    }

    /** Stops the replicas (last started first), then Solr, Redis and PostgreSQL, and deletes the files. */
    private static void stopAll(List<AutoCloseable> running, TempDir temp) {
        synchronized (running) {
            progress("stopping the replicas, SolrCloud, Redis and PostgreSQL");
            for (AutoCloseable c : running.reversed()) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("could not stop " + c + ": " + e);
                }
            }
            running.clear();
            temp.close();
            progress("stopped");
        }
    }

    static String describe(LocalCluster cluster, String jdbcUrl, List<Map<String, String>> environments, Path files) {
        StringBuilder out = new StringBuilder();
        out.append("\nThe cluster shape is running on this machine.\n\n");
        out.append("  PostgreSQL   ").append(jdbcUrl).append("  (user ").append(cluster.postgresUser())
                .append(", durable settings: fsync, synchronous_commit, full_page_writes on)\n");
        out.append("  Redis        ").append(cluster.redisUrl()).append("  (the replicas' shared embedding cache)\n");
        for (int i = 0; i < cluster.solrUrls().size(); i++) {
            out.append(i == 0 ? "  SolrCloud    " : "               ").append(cluster.solrUrls().get(i))
                    .append(i == 0 ? "  (admin UI: " + cluster.solrUrls().get(i) + "/)" : "").append('\n');
        }
        out.append("  ZooKeeper    ").append(cluster.zkHost()).append("  (embedded; the replicas need only the Solr URLs)\n");
        for (int r = 0; r < environments.size(); r++) {
            out.append(String.format("%n  replica %d    API     http://127.0.0.1:%d  (/readyz, /healthz, /api/v1/openapi.yaml)%n",
                    r + 1, API_PORTS[r]));
            out.append(String.format("               metrics http://127.0.0.1:%d/metrics%n", METRICS_PORTS[r]));
            out.append("               environment:\n");
            environments.get(r).forEach((name, value) -> out.append("                 ").append(name).append('=')
                    .append(value).append('\n'));
        }
        out.append("""

                Try it: write through replica 1, read and search through replica 2.
                  curl -si -X POST http://127.0.0.1:8081/api/v1/audit/aianalysis -H 'Content-Type: application/json' \\
                    -d '{"name":"ai-api-oom","namespace":"prod","phase":"Completed","createdAt":"2026-11-20T10:00:00Z",
                         "correlationId":"c-42","model":"demo","rootCause":"memory leak in the request cache",
                         "recommendedAction":"bound the cache and raise the memory limit"}'
                  # 201, Location: /api/v1/audit/aianalysis/<id>
                  curl -s http://127.0.0.1:8082/api/v1/audit/aianalysis/<id>
                  curl -s -X POST http://127.0.0.1:8082/api/v1/audit/search -H 'Content-Type: application/json' \\
                    -d '{"query":"container ran out of memory","topK":5}'
                  curl -s http://127.0.0.1:9092/metrics | grep datastorage_index
                """);
        out.append("\nLogs and data: ").append(files).append(" (deleted at the end)\n");
        out.append("Stop with Ctrl-C.\n");
        return out.toString();
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    private static void requireFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " is in use: cluster-up needs 8081, 8082, 9091 and 9092");
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] all = new int[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static void progress(String format, Object... args) {
        System.err.printf("[cluster-up] " + format + "%n", args);
    }
}
