package io.datastorage.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The migration of a running service, through its admin API: {@code migration status} prints the
 * status, {@code migration phase <PHASE>} moves the phase one step (reading the current version
 * first unless {@code --expected-version} names it) through the promotion gates, or past them with
 * {@code --force} and a {@code --reason}, and prints the status after the move (or each gate's
 * refusal).
 */
@Command(name = "migration", mixinStandardHelpOptions = true,
        description = {"Show or move the migration from a legacy store of a running service."},
        subcommands = {MigrationCommand.Status.class, MigrationCommand.Phase.class, MigrationBackfillCommand.class,
                MigrationValidateCommand.class})
public final class MigrationCommand implements Runnable {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final String PATH = "/api/v1/admin/migration";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Print the migration's status: phase, version, allowed moves, history, stores,",
                    "secondary queue, shadow reads and policy."})
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        ServiceUrl service;

        @Override
        public Integer call() throws InterruptedException {
            return print(spec, service.url, service.authorization().apply(HttpRequest.newBuilder(service.url.resolve(PATH))).GET());
        }
    }

    @Command(name = "phase", mixinStandardHelpOptions = true,
            description = {"Move the migration to PHASE, one step from the current phase, and print the status.",
                    "Phases: LEGACY_ONLY, DUAL_WRITE_LEGACY_PRIMARY, DUAL_WRITE_NEW_PRIMARY, NEW_ONLY.",
                    "The promotion gates must let the move pass (the status shows them), unless --force."})
    static final class Phase implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        ServiceUrl service;

        @Parameters(index = "0", paramLabel = "PHASE", description = "The phase to move to.")
        io.datastorage.core.migration.MigrationPhase phase;

        @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "",
                description = "Why, for the history (default: none).")
        String reason;

        @Option(names = "--expected-version", paramLabel = "N",
                description = {"The version the move is from; refused if the phase moved meanwhile.",
                        "Default: the current version, read first."})
        Long expectedVersion;

        @Option(names = "--force", description = {"Skip the promotion gates; needs a --reason. The history records",
                "the move as forced."})
        boolean force;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter err = spec.commandLine().getErr();
            if (force && reason.isBlank()) {
                err.println("--force needs a --reason: say why the promotion gates are skipped.");
                return 1;
            }
            long version;
            if (expectedVersion != null) {
                version = expectedVersion;
            } else {
                HttpResponse<String> status = send(err, service.url, service.authorization().apply(HttpRequest.newBuilder(service.url.resolve(PATH))).GET());
                if (status == null) {
                    return 1;
                }
                JsonNode current = statusOf(err, service.url, status);
                if (current == null) {
                    return 1;
                }
                version = current.path("version").asLong();
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("phase", phase.name());
            body.put("expectedVersion", version);
            body.put("reason", reason);
            if (force) {
                body.put("force", true);
            }
            return print(spec, service.url, service.authorization().apply(HttpRequest.newBuilder(service.url.resolve(PATH + "/phase")))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        }
    }

    /** Sends the request and prints the status it answers (exit 0), or why not (exit 1). */
    private static int print(CommandSpec spec, URI url, HttpRequest.Builder request) throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        HttpResponse<String> answer = send(err, url, request);
        if (answer == null) {
            return 1;
        }
        JsonNode status = statusOf(err, url, answer);
        if (status == null) {
            return 1;
        }
        spec.commandLine().getOut().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(status));
        return 0;
    }

    private static HttpResponse<String> send(PrintWriter err, URI url, HttpRequest.Builder request)
            throws InterruptedException {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            err.println("cannot reach " + url + ": " + ReconcileCommand.unreachable(e) + ".");
            return null;
        }
    }

    /** The status in a 200 answer; otherwise prints the problem's detail and answers null. */
    private static JsonNode statusOf(PrintWriter err, URI url, HttpResponse<String> answer) {
        if (answer.statusCode() != 200) {
            err.println("the migration request failed (HTTP " + answer.statusCode() + "): "
                    + DatastorageCli.sentence(ReconcileCommand.detail(answer.body())));
            if (answer.statusCode() == 412) { // the promotion gates: one line per refusal
                try {
                    JSON.readTree(answer.body()).path("refusals").forEach(refusal -> err.println("  - " + refusal.asString()));
                } catch (JacksonException e) {
                    // the detail printed above is all there is
                }
            }
            return null;
        }
        JsonNode status;
        try {
            status = JSON.readTree(answer.body());
        } catch (JacksonException e) {
            status = null;
        }
        if (status == null || !status.isObject() || !status.has("phase") || !status.has("version")) {
            err.println("the answer of " + url + " is not a migration status; is it the datastorage API's URL?");
            return null;
        }
        return status;
    }
}
