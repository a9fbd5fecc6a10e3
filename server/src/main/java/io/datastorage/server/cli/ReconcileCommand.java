package io.datastorage.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks a running service to reconcile PostgreSQL and its vector index, shows the progress (a bar
 * on a terminal, a line every few seconds otherwise) and prints the report.
 */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = {"Reconcile PostgreSQL and the vector index of a running service and print the report.",
                "Exit code 0 when the stores agree (now), 1 when the run failed."})
public final class ReconcileCommand implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int BAR_WIDTH = 30;

    @Spec
    CommandSpec spec;

    @Option(names = "--url", defaultValue = "http://localhost:8080",
            description = "Base URL of the service's API (default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--bar", negatable = true, description = "Draw a progress bar (default: when writing to a terminal).")
    Boolean bar;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean drawBar = bar != null ? bar : System.console() != null;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        CompletableFuture<HttpResponse<String>> run = http.sendAsync(
                HttpRequest.newBuilder(url.resolve("/api/v1/admin/reconcile")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        long lastLine = 0;
        HttpResponse<String> answer;
        while (true) {
            try {
                answer = run.get(250, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException e) {
                JsonNode status = status(http);
                if (status != null && status.path("running").asBoolean()) {
                    int done = status.path("progress").path("slicesDone").asInt();
                    int total = status.path("progress").path("slicesTotal").asInt();
                    if (drawBar) {
                        err.print("\r" + bar(done, total));
                        err.flush();
                    } else if (System.nanoTime() - lastLine > 5_000_000_000L) {
                        err.println("reconciling: " + done + "/" + total + " differing slices compared");
                        err.flush();
                        lastLine = System.nanoTime();
                    }
                }
            } catch (ExecutionException e) {
                err.println("cannot reach " + url + ": " + e.getCause().getMessage());
                return 1;
            }
        }
        if (drawBar) {
            err.println();
        }
        if (answer.statusCode() != 200) {
            err.println("reconciliation failed (HTTP " + answer.statusCode() + "): " + answer.body());
            return 1;
        }
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(answer.body())));
        return 0;
    }

    private JsonNode status(HttpClient http) throws InterruptedException {
        try {
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(url.resolve("/api/v1/admin/reconcile"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return status.statusCode() == 200 ? JSON.readTree(status.body()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    public static String bar(int done, int total) {
        int filled = total == 0 ? BAR_WIDTH : (int) ((long) BAR_WIDTH * done / total);
        return "[" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] " + done + "/" + total + " slices";
    }
}
