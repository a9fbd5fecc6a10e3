package io.datastorage.server.cli;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Runs a long admin job of a running service the way its endpoints are shaped: a {@code POST} that
 * answers with the report once the job ended, and a {@code GET} on the same path that tells the
 * progress while it runs. Shows that progress on standard error (a bar on a terminal, a line every
 * five seconds otherwise) and prints the report on standard output.
 *
 * @param name     the job in words, for messages ({@code reconciliation}, {@code backfill}, …)
 * @param progress reads the {@code GET} answer: the progress while the job runs, {@code null} when it
 *                 does not run (or says nothing of its progress)
 * @param isReport whether the {@code POST}'s 200 answer is this job's report (else the URL is not the
 *                 datastorage API's)
 */
public record LongJob(String name, Function<JsonNode, Progress> progress, Predicate<JsonNode> isReport) {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int BAR_WIDTH = 30;

    public LongJob {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(isReport, "isReport");
    }

    /**
     * How far a job is.
     *
     * @param done  units done so far, 0..total
     * @param total units in all (0 when not known yet)
     * @param unit  what a unit is, plural ({@code slices}, {@code records})
     */
    public record Progress(long done, long total, String unit) {
        /** The bar: {@code [#####     ] 5/10 slices}. */
        public String bar() {
            int filled = total <= 0 ? BAR_WIDTH : (int) (BAR_WIDTH * Math.min(done, total) / total);
            return "[" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] " + done + "/" + total + " " + unit;
        }
    }

    /**
     * Posts {@code run}, shows the progress read from {@code status} until the answer comes, and
     * prints the report.
     *
     * @param authorization what each request goes through (adds the bearer token, if any: {@link ServiceUrl#authorization()})
     * @param body the POST's JSON body, or {@code null} for none
     * @return the exit code: 0 when the report was printed, 1 when the job failed or the service could
     *         not be reached (said on standard error)
     */
    public int run(URI service, UnaryOperator<HttpRequest.Builder> authorization, URI run, String body, URI status,
                   boolean drawBar, PrintWriter out, PrintWriter err) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            return run(http, authorization, service, run, body, status, drawBar, out, err);
        } finally {
            // Its selector thread and connections end with the command (in-process callers, such as
            // tests, call it many times); a POST still waiting (an interrupt) is abandoned.
            http.shutdownNow();
        }
    }

    private int run(HttpClient http, UnaryOperator<HttpRequest.Builder> authorization, URI service, URI run, String body,
                    URI status, boolean drawBar, PrintWriter out, PrintWriter err) throws InterruptedException {
        HttpRequest.Builder post = authorization.apply(HttpRequest.newBuilder(run));
        post = body == null ? post.POST(HttpRequest.BodyPublishers.noBody())
                : post.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        CompletableFuture<HttpResponse<String>> answering = http.sendAsync(post.build(), HttpResponse.BodyHandlers.ofString());
        long lastLine = System.nanoTime();
        boolean drawn = false;
        HttpResponse<String> answer;
        while (true) {
            try {
                answer = answering.get(250, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException e) {
                Progress now = progress(http, authorization, status);
                if (now == null) {
                    continue;
                }
                if (drawBar) {
                    err.print("\r" + now.bar());
                    err.flush();
                    drawn = true;
                } else if (System.nanoTime() - lastLine > 5_000_000_000L) {
                    err.println(name + ": " + now.done() + "/" + now.total() + " " + now.unit());
                    err.flush();
                    lastLine = System.nanoTime();
                }
            } catch (ExecutionException e) {
                err.println("cannot reach " + service + ": " + ReconcileCommand.unreachable(e.getCause()) + ".");
                return 1;
            }
        }
        if (drawn) {
            err.println();
        }
        if (answer.statusCode() != 200) {
            err.println(name + " failed (HTTP " + answer.statusCode() + "): " + ReconcileCommand.detail(answer.body()));
            return 1;
        }
        JsonNode report;
        try {
            report = JSON.readTree(answer.body());
        } catch (JacksonException e) {
            report = null;
        }
        if (report == null || !report.isObject() || !isReport.test(report)) {
            err.println("the answer of " + service + " is not a " + name + " report; is it the datastorage API's URL?");
            return 1;
        }
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        return 0;
    }

    private Progress progress(HttpClient http, UnaryOperator<HttpRequest.Builder> authorization, URI status)
            throws InterruptedException {
        try {
            HttpResponse<String> answer = http.send(authorization.apply(HttpRequest.newBuilder(status))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 200 ? progress.apply(JSON.readTree(answer.body())) : null;
        } catch (IOException | JacksonException e) {
            return null; // the progress is only shown; the answer of the run decides
        }
    }
}
