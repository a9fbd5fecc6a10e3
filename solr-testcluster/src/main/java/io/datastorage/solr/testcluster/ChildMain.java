package io.datastorage.solr.testcluster;

import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The child JVM's main class: starts a {@link MiniSolrCloudCluster} (embedded ZooKeeper, {@code nodes}
 * Jetty nodes on free loopback ports) under {@code baseDir} and obeys one command per line of its
 * standard input. Only {@link SolrCloudForTests} starts it; it runs on Solr's own classpath.
 *
 * <p>Protocol (standard output carries nothing else; Solr logs into {@code baseDir/solr.log}):
 * <ul>
 *   <li>on start: {@code ZK <host:port/chroot>}, one {@code NODE <i> <baseUrl>} per node, then {@code READY};</li>
 *   <li>{@code stop <i>}: stops node i (gracefully, its data kept), answers {@code OK};</li>
 *   <li>{@code start <i>}: starts node i again on its port, waits until it has joined, answers {@code OK};</li>
 *   <li>{@code quit}, or the end of standard input (the parent died): shuts the cluster down and exits.</li>
 * </ul>
 * A command that fails answers {@code ERR <message>}.
 */
public final class ChildMain {
    private ChildMain() {
    }

    public static void main(String[] args) throws Exception {
        Path baseDir = Path.of(args[0]);
        int nodes = Integer.parseInt(args[1]);
        // The real standard output is the protocol channel; anything else printing there goes to stderr.
        PrintStream protocol = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err);

        MiniSolrCloudCluster cluster = new MiniSolrCloudCluster(nodes, baseDir, JettyConfig.builder().build());
        List<JettySolrRunner> runners = new ArrayList<>(cluster.getJettySolrRunners());
        protocol.println("ZK " + cluster.getZkServer().getZkAddress());
        for (int i = 0; i < runners.size(); i++) {
            protocol.println("NODE " + i + " " + runners.get(i).getBaseUrl());
        }
        protocol.println("READY");

        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            for (String line = commands.readLine(); line != null && !line.equals("quit"); line = commands.readLine()) {
                String[] parts = line.trim().split(" ");
                try {
                    int node = Integer.parseInt(parts[1]);
                    switch (parts[0]) {
                        case "stop" -> {
                            JettySolrRunner runner = runners.get(node);
                            try {
                                cluster.stopJettySolrRunner(runner);
                            } catch (TimeoutException e) {
                                // After a restart of every node, the cluster's own wait for the node to leave
                                // the live nodes sometimes times out although Jetty stops: wait for Jetty itself.
                                awaitStopped(runner);
                            }
                            awaitStopped(runner);
                        }
                        case "start" -> {
                            JettySolrRunner started = cluster.startJettySolrRunner(runners.get(node), true);
                            cluster.waitForNode(started, 60);
                            runners.set(node, started);
                        }
                        default -> throw new IllegalArgumentException("unknown command: " + line);
                    }
                    protocol.println("OK");
                } catch (Exception | AssertionError e) {
                    protocol.println("ERR " + String.valueOf(e).replace('\n', ' '));
                }
            }
        } finally {
            cluster.shutdown();
        }
        System.exit(0);
    }

    private static void awaitStopped(JettySolrRunner runner) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!runner.isStopped()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("node " + runner.getBaseUrl() + " did not stop within 60 s");
            }
            Thread.sleep(100);
        }
    }
}
