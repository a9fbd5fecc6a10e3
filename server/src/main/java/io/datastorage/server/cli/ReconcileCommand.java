package io.datastorage.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    @CommandLine.Mixin
    ServiceUrl service;

    @Option(names = "--bar", negatable = true, description = "Draw a progress bar (default: when writing to a terminal).")
    Boolean bar;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean drawBar = bar != null ? bar : System.console() != null;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        CompletableFuture<HttpResponse<String>> run = http.sendAsync(
                HttpRequest.newBuilder(service.url.resolve("/api/v1/admin/reconcile")).POST(HttpRequest.BodyPublishers.noBody()).build(),
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
                err.println("cannot reach " + service.url + ": " + unreachable(e.getCause()) + ".");
                return 1;
            }
        }
        if (drawBar) {
            err.println();
        }
        if (answer.statusCode() != 200) {
            err.println("reconciliation failed (HTTP " + answer.statusCode() + "): " + detail(answer.body()));
            return 1;
        }
        JsonNode report;
        try {
            report = JSON.readTree(answer.body());
        } catch (JacksonException e) {
            report = null;
        }
        if (report == null || !report.isObject() || !report.has("consistent")) {
            err.println("the answer of " + service.url + " is not a reconciliation report; is it the datastorage API's URL?");
            return 1;
        }
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        return 0;
    }

    /** Why a request could not be sent or answered, as words (a refused connection has no message of its own). */
    static String unreachable(Throwable cause) {
        // The JDK client wraps an unknown host in a ConnectException without a message: look deeper first.
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof UnresolvedAddressException || c instanceof UnknownHostException) {
                return "unknown host";
            }
        }
        if (cause instanceof ConnectException) {
            return cause.getMessage() == null || cause.getMessage().isBlank() ? "connection refused" : cause.getMessage();
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return "no connection within 5 seconds";
        }
        if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
            return "unknown host";
        }
        if (cause instanceof IOException e && cause.getCause() != null && cause.getMessage() == null) {
            return unreachable(e.getCause());
        }
        return cause.getMessage() == null || cause.getMessage().isBlank() ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** The problem's detail when the answer is one, else the start of the body on one line. */
    static String detail(String body) {
        try {
            JsonNode problem = JSON.readTree(body);
            if (problem != null && problem.path("detail").isString()) {
                // A validation problem's detail only counts the fields: name them, or the user cannot fix the call.
                List<String> fields = new ArrayList<>();
                for (JsonNode error : problem.path("errors")) {
                    fields.add((error.path("field").asString("").isEmpty() ? "" : error.path("field").asString() + " ")
                            + error.path("message").asString(""));
                }
                String detail = problem.path("detail").asString();
                return fields.isEmpty() ? detail : detail.replaceAll("[.;]?\\s*see errors\\.?$", "") + ": "
                        + String.join("; ", fields);
            }
        } catch (JacksonException e) {
            // not JSON: show its beginning
        }
        String line = body.replaceAll("\\s+", " ").strip();
        return line.isEmpty() ? "no details" : line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }

    private JsonNode status(HttpClient http) throws InterruptedException {
        try {
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(service.url.resolve("/api/v1/admin/reconcile"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return status.statusCode() == 200 ? JSON.readTree(status.body()) : null;
        } catch (IOException | JacksonException e) {
            return null; // the progress is only shown; the answer of the run decides
        }
    }

    public static String bar(int done, int total) {
        int filled = total == 0 ? BAR_WIDTH : (int) ((long) BAR_WIDTH * done / total);
        return "[" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] " + done + "/" + total + " slices";
    }
}
