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
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
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

    @Spec
    CommandSpec spec;

    @CommandLine.Mixin
    ServiceUrl service;

    @Option(names = "--bar", negatable = true, description = "Draw a progress bar (default: when writing to a terminal).")
    Boolean bar;

    /** The reconciliation as a long job: progress in differing slices compared. */
    static final LongJob JOB = new LongJob("reconciliation",
            status -> status.path("running").asBoolean() ? new LongJob.Progress(
                    status.path("progress").path("slicesDone").asLong(),
                    status.path("progress").path("slicesTotal").asLong(), "slices") : null,
            report -> report.has("consistent"));

    @Override
    public Integer call() throws InterruptedException {
        boolean drawBar = bar != null ? bar : System.console() != null;
        URI path = service.url.resolve("/api/v1/admin/reconcile");
        return JOB.run(service.url, service.authorization(), path, null, path, drawBar, spec.commandLine().getOut(), spec.commandLine().getErr());
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
}
