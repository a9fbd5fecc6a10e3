package io.datastorage.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
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
import java.util.concurrent.Callable;

/**
 * Retention of a running service, through its admin API: {@code retention report} prints the dry
 * run (what the next run drops, what legal holds keep), {@code retention run} runs retention now
 * and prints what it dropped. Exit code 0 on success, 1 when the request failed (the problem's
 * detail is printed).
 */
@Command(name = "retention", mixinStandardHelpOptions = true,
        description = {"Show what retention drops next, or run it now, on a running service."},
        subcommands = {RetentionCommand.Report.class, RetentionCommand.Run.class})
public final class RetentionCommand implements Runnable {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final String PATH = "/api/v1/admin/retention";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = {"Print what the next retention run would drop (kind, month, records) and which",
                    "expired months legal holds keep, with the holds. Changes nothing."})
    static final class Report implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        ServiceUrl service;

        @Override
        public Integer call() throws InterruptedException {
            return print(spec, service.url, service.authorization().apply(HttpRequest.newBuilder(service.url.resolve(PATH))).GET());
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run retention now and print what it dropped and which months legal holds kept."})
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        ServiceUrl service;

        @Override
        public Integer call() throws InterruptedException {
            return print(spec, service.url, service.authorization().apply(HttpRequest.newBuilder(service.url.resolve(PATH + "/run")))
                    .POST(HttpRequest.BodyPublishers.noBody()));
        }
    }

    private static int print(CommandSpec spec, URI url, HttpRequest.Builder request) throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        HttpResponse<String> answer;
        // A run drops month after month in one request: no timeout of its own beyond the connection's.
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            err.println("cannot reach " + url + ": " + ReconcileCommand.unreachable(e) + ".");
            return 1;
        }
        if (answer.statusCode() != 200) {
            err.println("the retention request failed (HTTP " + answer.statusCode() + "): "
                    + DatastorageCli.sentence(ReconcileCommand.detail(answer.body())));
            return 1;
        }
        try {
            JsonNode body = JSON.readTree(answer.body());
            spec.commandLine().getOut().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
            return 0;
        } catch (JacksonException e) {
            err.println("the service's answer is not JSON: " + ReconcileCommand.detail(answer.body()));
            return 1;
        }
    }
}
