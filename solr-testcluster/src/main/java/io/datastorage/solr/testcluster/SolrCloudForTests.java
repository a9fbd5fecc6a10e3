package io.datastorage.solr.testcluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real SolrCloud for tests: Solr 9.10's {@code MiniSolrCloudCluster} (an embedded ZooKeeper and
 * {@code nodes} Solr nodes on free loopback ports) running in a <b>child JVM</b> whose classpath is
 * Solr's own. Solr 9 brings Lucene 9 and Jetty 10; the service and its tests use Lucene 10 and
 * Spring Boot's Jetty/Tomcat versions, and the two must never meet in one JVM. This class itself
 * uses only the JDK, so depending on this module puts no Solr class on a test's classpath.
 *
 * <p>The cluster holds no collection: the code under test creates its own. Nodes can be stopped
 * and started again on the same port ({@link #stopNode}, {@link #startNode}) for fault tests; the
 * embedded ZooKeeper stays up meanwhile. {@link #close} shuts the cluster down; if the test JVM
 * dies instead, the child notices the end of its standard input and exits on its own.
 *
 * <p>Either one cluster per test class ({@link #start}), or the one cluster shared by every test of
 * the JVM that does not stop nodes ({@link #shared}), which saves its start-up (about 5 s).
 */
public final class SolrCloudForTests implements AutoCloseable {
    /** Heap of the child JVM unless {@code datastorage.solr.testcluster.heap} says otherwise. */
    private static final String DEFAULT_HEAP = "768m";
    private static final long START_TIMEOUT_SECONDS = 180;
    private static final long COMMAND_TIMEOUT_SECONDS = 120;
    private static SolrCloudForTests shared;

    private final Process process;
    private final Path baseDir;
    private final BufferedReader answers;
    private final PrintWriter commands;
    private final String zkHost;
    private final List<String> nodeUrls;

    private SolrCloudForTests(Process process, Path baseDir, BufferedReader answers, String zkHost, List<String> nodeUrls) {
        this.process = process;
        this.baseDir = baseDir;
        this.answers = answers;
        this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.zkHost = zkHost;
        this.nodeUrls = List.copyOf(nodeUrls);
    }

    /** The cluster shared by this JVM's tests, started on first use with 2 nodes; stopped when the JVM exits. Never stop its nodes. */
    public static synchronized SolrCloudForTests shared() {
        if (shared == null || !shared.process.isAlive()) {
            shared = start(2);
            SolrCloudForTests cluster = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "solr-testcluster-shutdown"));
        }
        return shared;
    }

    /**
     * Starts a cluster of {@code nodes} Solr nodes and waits until every node is up.
     *
     * @throws IllegalStateException the child JVM did not come up within 3 minutes (its standard
     *                               error and Solr's log are under {@link #baseDir()})
     */
    public static SolrCloudForTests start(int nodes) {
        Path baseDir;
        try {
            baseDir = Files.createTempDirectory("solr-testcluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add("-Xmx" + System.getProperty("datastorage.solr.testcluster.heap", DEFAULT_HEAP));
        command.add("-Dsolr.log.dir=" + baseDir);
        command.add("-Dlog4j2.configurationFile=io/datastorage/solr/testcluster/log4j2.xml");
        // Lucene's vector incubator warnings and the like go to the child's stderr file, not the test's output.
        command.add("-cp");
        command.add(childClasspath(baseDir));
        command.add(ChildMain.class.getName());
        command.add(baseDir.toString());
        command.add(Integer.toString(nodes));
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectError(baseDir.resolve("child-stderr.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Solr test cluster's JVM: " + command.getFirst(), e);
        }
        BufferedReader answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        try {
            String zkHost = null;
            List<String> urls = new ArrayList<>();
            for (String line = readLine(answers, process, baseDir, START_TIMEOUT_SECONDS); !line.equals("READY");
                 line = readLine(answers, process, baseDir, START_TIMEOUT_SECONDS)) {
                if (line.startsWith("ZK ")) {
                    zkHost = line.substring(3);
                } else if (line.startsWith("NODE ")) {
                    urls.add(line.split(" ", 3)[2]);
                }
            }
            return new SolrCloudForTests(process, baseDir, answers, zkHost, urls);
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** Base URL of each node ({@code http://127.0.0.1:<port>/solr}), in node order; a stopped node keeps its URL. */
    public List<String> solrUrls() {
        return nodeUrls;
    }

    /** The embedded ZooKeeper, {@code host:port/solr}. */
    public String zkHost() {
        return zkHost;
    }

    /** Where the child keeps its nodes' data, its standard error ({@code child-stderr.log}) and Solr's log ({@code solr.log}). */
    public Path baseDir() {
        return baseDir;
    }

    /** Stops node {@code i} (0-based) gracefully; its cores and data stay for {@link #startNode}. */
    public synchronized void stopNode(int i) {
        command("stop " + i);
    }

    /** Starts node {@code i} again on its former port and waits until it has rejoined the cluster. */
    public synchronized void startNode(int i) {
        command("start " + i);
    }

    /** Shuts the cluster down and deletes its files. Idempotent. */
    @Override
    public synchronized void close() {
        if (process.isAlive()) {
            commands.println("quit");
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(baseDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: a temporary directory
        }
    }

    private void command(String command) {
        if (!process.isAlive()) {
            throw new IllegalStateException("the Solr test cluster's JVM has exited (" + process.exitValue() + ")");
        }
        commands.println(command);
        String answer = readLine(answers, process, baseDir, COMMAND_TIMEOUT_SECONDS);
        if (!answer.equals("OK")) {
            throw new IllegalStateException("Solr test cluster: '" + command + "' failed: " + answer);
        }
    }

    private static String readLine(BufferedReader reader, Process process, Path baseDir, long timeoutSeconds) {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return reader.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            String read = line.get(timeoutSeconds, TimeUnit.SECONDS);
            if (read == null) {
                throw new IllegalStateException("the Solr test cluster's JVM ended (exit " + waitForExit(process)
                        + "); its output: " + tail(baseDir.resolve("child-stderr.log")));
            }
            return read;
        } catch (TimeoutException e) {
            throw new IllegalStateException("the Solr test cluster's JVM did not answer within " + timeoutSeconds
                    + " s; its output: " + tail(baseDir.resolve("child-stderr.log")), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("reading from the Solr test cluster's JVM failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Solr test cluster", e);
        }
    }

    private static int waitForExit(Process process) {
        try {
            return process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String tail(Path file) {
        try {
            String text = Files.readString(file);
            return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** The JVM running this test; Solr 9.10 runs on Java 21 and later (checked up to 25). */
    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * The files of this module the child JVM loads: its main class and its logging configuration.
     * A class or resource the child comes to need must be added here (this module's test starts a
     * child from exactly these files, so a missing one fails it).
     */
    private static final List<String> CHILD_FILES = List.of("ChildMain.class", "log4j2.xml");

    /**
     * The child's own files (copied under {@code baseDir}) plus Solr's classpath, written into
     * {@code child.classpath} when this module was built. The files are copied, not found through
     * this class's code source: inside an executable jar (the benchmark's Spring Boot jar) that is
     * a jar nested in a jar, which no {@code -cp} entry can name.
     */
    private static String childClasspath(Path baseDir) {
        try (InputStream in = SolrCloudForTests.class.getResourceAsStream("child.classpath")) {
            if (in == null) {
                throw new IllegalStateException("child.classpath is missing beside " + SolrCloudForTests.class.getName()
                        + ": build the solr-testcluster module with Maven (it writes the file)");
            }
            String dependencies = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            Path classes = baseDir.resolve("launcher-classes");
            Path packageDir = classes.resolve(SolrCloudForTests.class.getPackageName().replace('.', '/'));
            Files.createDirectories(packageDir);
            for (String file : CHILD_FILES) {
                try (InputStream resource = SolrCloudForTests.class.getResourceAsStream(file)) {
                    if (resource == null) {
                        throw new IllegalStateException(file + " is missing beside " + SolrCloudForTests.class.getName());
                    }
                    Files.copy(resource, packageDir.resolve(file));
                }
            }
            return classes + java.io.File.pathSeparator + dependencies;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
